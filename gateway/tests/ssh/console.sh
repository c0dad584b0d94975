#!/usr/bin/env bash
# A room system's SSH console for gateway/tests/endpoint_ssh.rs: the forced command of the test
# sshd's authorized_keys, one key per behaviour. It answers the way the consoles' API guides
# show (Cisco TelePresence xAPI over TSH, Poly Group Series command-line API) and keeps the
# room's one call in STATE_DIR across sessions, so dial, status and hangup see each other.
# Every line received is appended to STATE_DIR/received, so a test can see what crossed the
# wire (and that nothing did).
#
# usage: console.sh cisco|poly|silent|flood STATE_DIR
set -u
dialect=$1
state=$2
call="$state/call"

received() { printf '%s\n' "$1" >>"$state/received"; }

cisco() {
    printf 'Welcome to roomgate-test-room\r\nCisco Codec Release ce 9.15.3 test\r\nSW Release Date: 2021-01-01\r\n*r Login successful\r\n\r\nOK\r\n\r\n'
    while IFS= read -r line; do
        line=${line%$'\r'}
        received "$line"
        case "$line" in
        'xCommand Dial Number: "'*'" Protocol: '*)
            number=${line#*Number: \"}
            number=${number%%\"*}
            id=$(( $(cat "$state/next_id" 2>/dev/null || echo 1) ))
            echo $((id + 1)) >"$state/next_id"
            printf '%s\n%s\n' "$id" "$number" >"$call"
            printf 'OK\r\n*r DialResult (status=OK):\r\n    CallId: %s\r\n    ConferenceId: 1\r\n** end\r\n' "$id"
            ;;
        'xStatus Call')
            if [[ -f $call ]]; then
                { read -r id; read -r number; } <"$call"
                for kv in 'Status: Connected' 'Direction: Outgoing' 'Protocol: "Sip"' \
                    "RemoteNumber: \"$number\"" "CallbackNumber: \"sip:$number\"" \
                    'DisplayName: "Roomgate"' 'CallType: Video' 'TransmitCallRate: 1920' \
                    'ReceiveCallRate: 1920' 'Encryption Type: "Aes-128"' 'Duration: 12'; do
                    printf '*s Call %s %s\r\n' "$id" "$kv"
                done
            fi
            printf '** end\r\n\r\nOK\r\n'
            ;;
        'xCommand Call Disconnect')
            if [[ -f $call ]]; then
                rm -f "$call"
                printf 'OK\r\n*r CallDisconnectResult (status=OK):\r\n** end\r\n'
            else
                printf '*r CallDisconnectResult (status=Error):\r\n    Reason: "No active call"\r\n** end\r\n\r\nERROR\r\n'
            fi
            ;;
        'xStatus SystemUnit')
            printf '*s SystemUnit ProductId: "Cisco Room Kit"\r\n*s SystemUnit Uptime: 4242\r\n** end\r\n\r\nOK\r\n'
            ;;
        bye) exit 0 ;;
        *) printf 'Command not recognized.\r\nERROR\r\n' ;;
        esac
    done
}

poly() {
    printf 'Poly G7500 test room\n-> '
    while IFS= read -r line; do
        line=${line%$'\r'}
        received "$line"
        case "$line" in
        'dial manual '*' "'*'" '*)
            rate=${line#dial manual }
            rate=${rate%% *}
            number=${line#*\"}
            number=${number%%\"*}
            id=$(( $(cat "$state/next_id" 2>/dev/null || echo 40) ))
            echo $((id + 1)) >"$state/next_id"
            printf '%s\n%s\n%s\n' "$id" "$number" "$rate" >"$call"
            printf 'dialing manual\nactive: call[%s] speed[%s]\n-> ' "$id" "$rate"
            ;;
        'callinfo all')
            if [[ -f $call ]]; then
                { read -r id; read -r number; read -r rate; } <"$call"
                printf 'callinfo begin\ncallinfo:%s:Roomgate: Gateway:%s:%s:connected:notmuted:outgoing:videocall\ncallinfo end\n-> ' \
                    "$id" "$number" "$rate"
            else
                printf 'system is not in a call\n-> '
            fi
            ;;
        'hangup all')
            rm -f "$call"
            printf 'hanging up all\n-> '
            ;;
        version) printf 'version "6.2.2.4-test"\n-> ' ;;
        exit) exit 0 ;;
        *) printf 'error: command not found\n-> ' ;;
        esac
    done
}

case "$dialect" in
cisco) cisco ;;
poly) poly ;;
# Takes every line and never answers.
silent) while IFS= read -r line; do received "$line"; done ;;
# Answers anything with megabytes.
flood)
    IFS= read -r line && received "$line"
    yes '*s SystemUnit Diagnostics Message 1 Description: "flood flood flood flood"' | head -c 8000000
    ;;
*) echo "unknown dialect $dialect" >&2; exit 2 ;;
esac
