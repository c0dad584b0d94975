"""Post-processes rasn-compiler 0.16's raw (unformatted) output for the benchmark.

Senders of older H.225.0 versions omit extension additions that the ASN.1 declares without
OPTIONAL (h245Tunneling, callIdentifier, mediaWaitForConnect, supportsAssignedGK, ...): X.691
lets an addition be absent whatever its declaration, but rasn 0.30 requires the non-OPTIONAL
ones, so it rejects real Facility, Release Complete and RAS PDUs. Each such field becomes an
`Option`, and the generated `new` constructors (unused here, and typed for the old fields) are
dropped.

Usage: python3 postprocess.py src/generated.rs (rewrites the file in place).
"""
import re
import sys

path = sys.argv[1]
src = open(path).read()
before = len(src)
src, constructors = re.subn(
    r"impl [A-Za-z0-9_]+ \{ pub fn new \(.*?\) -> Self \{ Self \{[^}]*\} \} \} ", "", src
)
field = re.compile(
    r"(# \[rasn \(extension_addition[^\]]*\)\] pub [a-z0-9_]+ : )(?!Option <)([^,{}]+?) (,| \})"
)
src, fields = field.subn(lambda m: f"{m.group(1)}Option < {m.group(2)} > {m.group(3)}", src)
open(path, "w").write(src)
print(f"{constructors} constructors dropped, {fields} extension additions made optional",
      file=sys.stderr)
