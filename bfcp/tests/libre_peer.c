/*
 * A BFCP peer built on libre (the library under baresip, Debian's libre-dev), for
 * bfcp/tests/libre.rs, which compiles this file with cc at test time and runs it against our
 * floor control server and our participant over UDP on 127.0.0.1 (libre 1.1 has BFCP over
 * UDP only). It prints one line per event on stdout, which the Rust test parses:
 *
 *   port N                         the UDP port it listens on
 *   recv PRIM tid=T r=R ver=V ...  a message its receive handler got (not a response)
 *   resp PRIM tid=T r=R ver=V ...  the response to one of its own requests
 *   fail PRIM err=E                one of its requests failed (E: errno, e.g. ETIMEDOUT)
 *   done                           the script finished; exit status 0
 *
 * with, where present: status=S reqid=Q (FLOOR-REQUEST-INFORMATION), floor=F (FLOOR-ID),
 * prims=N (SUPPORTED-PRIMITIVES count), code=C (ERROR-CODE).
 *
 *   libre_peer participant PORT CONFID USERID FLOORID
 *     Hello; FloorQuery for the floor; FloorRequest (granted); waits for the revocation
 *     notification (another participant takes the floor), acknowledging every
 *     FloorRequestStatus and FloorStatus notification; FloorRequest again (granted);
 *     FloorRelease (released); Goodbye; done.
 *
 *   libre_peer server CONFID USERID FLOORID
 *     A minimal floor control server: HelloAck; FloorStatus for FloorQuery; for FloorRequest
 *     a FloorRequestStatus saying Pending, then Granted as a notification of its own, which
 *     libre retransmits until our FloorRequestStatusAck arrives; Released for FloorRelease;
 *     GoodbyeAck for Goodbye, then done. Every message received is printed, responses from
 *     libre's one-entry reply cache are not (libre answers them before the handler).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>

enum { LIFETIME_MS = 30000 };

static struct bfcp_conn *bc;
static struct sa peer;
static uint32_t confid;
static uint16_t userid;
static uint16_t floorid;
static uint16_t reqid;
static int exit_code = 1;
static struct tmr lifetime;
static struct tmr quit_tmr;

/* participant script */
static int step;
static bool granted_once;
static bool revoked;

static void print_msg(const char *what, const struct bfcp_msg *msg)
{
	const struct bfcp_attr *fri = bfcp_msg_attr(msg, BFCP_FLOOR_REQ_INFO);
	const struct bfcp_attr *a;

	printf("%s %s tid=%u r=%u ver=%u", what, bfcp_prim_name(msg->prim),
	       msg->tid, msg->r, msg->ver);

	if (fri) {
		const struct bfcp_attr *ors, *rs = NULL;

		ors = bfcp_attr_subattr(fri, BFCP_OVERALL_REQ_STATUS);
		if (ors)
			rs = bfcp_attr_subattr(ors, BFCP_REQUEST_STATUS);
		if (!rs) {
			const struct bfcp_attr *frs;
			frs = bfcp_attr_subattr(fri, BFCP_FLOOR_REQ_STATUS);
			if (frs)
				rs = bfcp_attr_subattr(frs, BFCP_REQUEST_STATUS);
		}
		printf(" reqid=%u", fri->v.u16);
		if (rs)
			printf(" status=%s",
			       bfcp_reqstatus_name(rs->v.reqstatus.status));
	}
	a = bfcp_msg_attr(msg, BFCP_FLOOR_ID);
	if (a)
		printf(" floor=%u", a->v.floorid);
	a = bfcp_msg_attr(msg, BFCP_SUPPORTED_PRIMS);
	if (a)
		printf(" prims=%zu", a->v.supprim.primc);
	a = bfcp_msg_attr(msg, BFCP_ERROR_CODE);
	if (a)
		printf(" code=%d", a->v.errcode.code);
	printf("\n");
	fflush(stdout);
}

static void quit(void *arg)
{
	(void)arg;
	re_cancel();
}

static void finish(int code)
{
	exit_code = code;
	printf("done\n");
	fflush(stdout);
	/* A moment for the last answer to leave. */
	tmr_start(&quit_tmr, 200, quit, NULL);
}

static void lifetime_over(void *arg)
{
	(void)arg;
	printf("lifetime over at step %d\n", step);
	fflush(stdout);
	re_cancel();
}

static enum bfcp_reqstat fri_status(const struct bfcp_msg *msg)
{
	const struct bfcp_attr *fri = bfcp_msg_attr(msg, BFCP_FLOOR_REQ_INFO);
	const struct bfcp_attr *ors, *rs;

	if (!fri)
		return 0;
	ors = bfcp_attr_subattr(fri, BFCP_OVERALL_REQ_STATUS);
	rs = ors ? bfcp_attr_subattr(ors, BFCP_REQUEST_STATUS) : NULL;
	if (!rs) {
		const struct bfcp_attr *frs;
		frs = bfcp_attr_subattr(fri, BFCP_FLOOR_REQ_STATUS);
		rs = frs ? bfcp_attr_subattr(frs, BFCP_REQUEST_STATUS) : NULL;
	}
	return rs ? rs->v.reqstatus.status : 0;
}

/* ---- participant ---- */

static void participant_next(void);

static void participant_resp(int err, const struct bfcp_msg *msg, void *arg)
{
	const char *name = arg;

	if (err || !msg) {
		printf("fail %s err=%d\n", name, err);
		fflush(stdout);
		re_cancel();
		return;
	}
	print_msg("resp", msg);

	switch (msg->prim) {

	case BFCP_FLOOR_REQUEST_STATUS:
		if (fri_status(msg) == BFCP_GRANTED) {
			const struct bfcp_attr *fri;
			fri = bfcp_msg_attr(msg, BFCP_FLOOR_REQ_INFO);
			reqid = fri ? fri->v.u16 : 0;
			granted_once = true;
		}
		break;

	default:
		break;
	}
	++step;
	participant_next();
}

static void participant_next(void)
{
	uint16_t id;
	int err = 0;

	switch (step) {

	case 0:
		err = bfcp_request(bc, &peer, BFCP_VER2, BFCP_HELLO, confid,
				   userid, participant_resp, "Hello", 0);
		break;

	case 1:
		err = bfcp_request(bc, &peer, BFCP_VER2, BFCP_FLOOR_QUERY,
				   confid, userid, participant_resp,
				   "FloorQuery", 1,
				   BFCP_FLOOR_ID | BFCP_MANDATORY, 0, &floorid);
		break;

	case 2:
		err = bfcp_request(bc, &peer, BFCP_VER2, BFCP_FLOOR_REQUEST,
				   confid, userid, participant_resp,
				   "FloorRequest", 1,
				   BFCP_FLOOR_ID | BFCP_MANDATORY, 0, &floorid);
		break;

	case 3:
		/* Granted; wait for the revocation notification. */
		if (!(granted_once && revoked))
			return;
		granted_once = false;
		err = bfcp_request(bc, &peer, BFCP_VER2, BFCP_FLOOR_REQUEST,
				   confid, userid, participant_resp,
				   "FloorRequest", 1,
				   BFCP_FLOOR_ID | BFCP_MANDATORY, 0, &floorid);
		++step;
		break;

	case 5:
		id = reqid;
		err = bfcp_request(bc, &peer, BFCP_VER2, BFCP_FLOOR_RELEASE,
				   confid, userid, participant_resp,
				   "FloorRelease", 1,
				   BFCP_FLOOR_REQUEST_ID | BFCP_MANDATORY, 0,
				   &id);
		break;

	case 6:
		err = bfcp_request(bc, &peer, BFCP_VER2, BFCP_GOODBYE, confid,
				   userid, participant_resp, "Goodbye", 0);
		break;

	case 7:
		finish(0);
		return;

	default:
		return;
	}
	if (err) {
		printf("fail step%d err=%d\n", step, err);
		fflush(stdout);
		re_cancel();
	}
}

static void participant_recv(const struct bfcp_msg *msg, void *arg)
{
	(void)arg;
	print_msg("recv", msg);

	switch (msg->prim) {

	case BFCP_FLOOR_REQUEST_STATUS:
		(void)bfcp_reply(bc, msg, BFCP_FLOOR_REQ_STATUS_ACK, 0);
		/* The revocation may come before or after the answer to our
		   request (both can be lost and retransmitted): step 3 waits
		   for both. */
		if (fri_status(msg) == BFCP_REVOKED) {
			revoked = true;
			if (step == 3)
				participant_next();
		}
		break;

	case BFCP_FLOOR_STATUS:
		(void)bfcp_reply(bc, msg, BFCP_FLOOR_STATUS_ACK, 0);
		break;

	case BFCP_GOODBYE:
		(void)bfcp_reply(bc, msg, BFCP_GOODBYE_ACK, 0);
		break;

	default:
		break;
	}
}

/* ---- server ---- */

static void server_ack(int err, const struct bfcp_msg *msg, void *arg)
{
	const char *name = arg;

	if (err || !msg) {
		printf("fail %s err=%d\n", name, err);
		fflush(stdout);
		return;
	}
	print_msg("resp", msg);
}

static int reply_status(const struct bfcp_msg *msg, enum bfcp_reqstat s)
{
	struct bfcp_reqstatus rs = {s, 0};
	uint16_t id = 1;

	return bfcp_reply(bc, msg, BFCP_FLOOR_REQUEST_STATUS, 1,
			  BFCP_FLOOR_REQ_INFO | BFCP_MANDATORY, 2, &id,
			  BFCP_OVERALL_REQ_STATUS | BFCP_MANDATORY, 1, &id,
			  BFCP_REQUEST_STATUS | BFCP_MANDATORY, 0, &rs,
			  BFCP_FLOOR_REQ_STATUS | BFCP_MANDATORY, 0, &floorid);
}

static void server_recv(const struct bfcp_msg *msg, void *arg)
{
	static const enum bfcp_prim primv[] = {
		BFCP_FLOOR_REQUEST, BFCP_FLOOR_RELEASE, BFCP_FLOOR_REQUEST_STATUS,
		BFCP_FLOOR_QUERY, BFCP_FLOOR_STATUS, BFCP_HELLO, BFCP_HELLO_ACK,
		BFCP_ERROR, BFCP_FLOOR_REQ_STATUS_ACK, BFCP_FLOOR_STATUS_ACK,
		BFCP_GOODBYE, BFCP_GOODBYE_ACK,
	};
	static const enum bfcp_attrib attrv[] = {
		BFCP_FLOOR_ID, BFCP_FLOOR_REQUEST_ID, BFCP_REQUEST_STATUS,
		BFCP_ERROR_CODE, BFCP_ERROR_INFO, BFCP_SUPPORTED_ATTRS,
		BFCP_SUPPORTED_PRIMS, BFCP_FLOOR_REQ_INFO,
		BFCP_FLOOR_REQ_STATUS, BFCP_OVERALL_REQ_STATUS,
	};
	struct bfcp_supprim supprim = {(enum bfcp_prim *)primv,
				       ARRAY_SIZE(primv)};
	struct bfcp_supattr supattr = {(enum bfcp_attrib *)attrv,
				       ARRAY_SIZE(attrv)};
	struct bfcp_reqstatus granted = {BFCP_GRANTED, 0};
	uint16_t id = 1;
	(void)arg;

	print_msg("recv", msg);

	switch (msg->prim) {

	case BFCP_HELLO:
		(void)bfcp_reply(bc, msg, BFCP_HELLO_ACK, 2,
				 BFCP_SUPPORTED_PRIMS | BFCP_MANDATORY, 0,
				 &supprim,
				 BFCP_SUPPORTED_ATTRS | BFCP_MANDATORY, 0,
				 &supattr);
		break;

	case BFCP_FLOOR_QUERY:
		(void)bfcp_reply(bc, msg, BFCP_FLOOR_STATUS, 1,
				 BFCP_FLOOR_ID | BFCP_MANDATORY, 0, &floorid);
		break;

	case BFCP_FLOOR_REQUEST:
		(void)reply_status(msg, BFCP_PENDING);
		/* Granted at once, as a notification of its own: a request
		   transaction in libre, retransmitted until acknowledged. */
		(void)bfcp_request(bc, &msg->src, BFCP_VER2,
				   BFCP_FLOOR_REQUEST_STATUS, confid, userid,
				   server_ack, "FloorRequestStatus", 1,
				   BFCP_FLOOR_REQ_INFO | BFCP_MANDATORY, 2, &id,
				   BFCP_OVERALL_REQ_STATUS | BFCP_MANDATORY, 1,
				   &id,
				   BFCP_REQUEST_STATUS | BFCP_MANDATORY, 0,
				   &granted,
				   BFCP_FLOOR_REQ_STATUS | BFCP_MANDATORY, 0,
				   &floorid);
		break;

	case BFCP_FLOOR_RELEASE:
		(void)reply_status(msg, BFCP_RELEASED);
		break;

	case BFCP_GOODBYE:
		(void)bfcp_reply(bc, msg, BFCP_GOODBYE_ACK, 0);
		finish(0);
		break;

	default:
		break;
	}
}

int main(int argc, char *argv[])
{
	struct sa laddr;
	bool server;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc == 6 && !strcmp(argv[1], "participant")) {
		server = false;
		err = sa_set_str(&peer, "127.0.0.1", atoi(argv[2]));
		confid  = (uint32_t)strtoul(argv[3], NULL, 10);
		userid  = (uint16_t)atoi(argv[4]);
		floorid = (uint16_t)atoi(argv[5]);
	}
	else if (argc == 5 && !strcmp(argv[1], "server")) {
		server = true;
		err = 0;
		confid  = (uint32_t)strtoul(argv[2], NULL, 10);
		userid  = (uint16_t)atoi(argv[3]);
		floorid = (uint16_t)atoi(argv[4]);
	}
	else {
		fprintf(stderr, "usage: %s participant PORT CONFID USERID FLOORID\n"
			"       %s server CONFID USERID FLOORID\n",
			argv[0], argv[0]);
		return 2;
	}
	if (err)
		return 2;

	err = libre_init();
	if (err)
		return 3;

	sa_set_str(&laddr, "127.0.0.1", 0);
	err = bfcp_listen(&bc, BFCP_UDP, &laddr, NULL,
			  server ? server_recv : participant_recv, NULL);
	if (err) {
		fprintf(stderr, "bfcp_listen: %d\n", err);
		return 4;
	}
	printf("port %u\n", sa_port(&laddr));
	fflush(stdout);

	tmr_init(&lifetime);
	tmr_init(&quit_tmr);
	tmr_start(&lifetime, LIFETIME_MS, lifetime_over, NULL);

	if (!server)
		participant_next();

	(void)re_main(NULL);

	tmr_cancel(&lifetime);
	tmr_cancel(&quit_tmr);
	bc = mem_deref(bc);
	libre_close();

	return exit_code;
}
