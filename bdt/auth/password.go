package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2 is the cost of argon2id hashing, as RFC 9106 names it.
type Argon2 struct {
	Time    uint32 // passes over the memory
	Memory  uint32 // KiB
	Threads uint8  // lanes
}

// DefaultArgon2 is the cost every password is hashed at, the one place it
// is set: 2 passes over 64 MiB with 2 lanes, RFC 9106's second
// recommended option (t=3, 64 MiB, p=4) with a pass and two lanes less to
// suit the 2-core machines bdt runs on, and well above OWASP's minimum for
// argon2id (19 MiB, t=2, p=1). One hash took 190–480 ms on the 2-core
// development machine while it ran other work (BenchmarkHashDefault), under
// the second OWASP suggests a sign-in spend; MaxHashing of them at once
// bound the memory to 256 MiB. A hash
// records its cost, so raising it later leaves existing passwords
// verifiable at the cost they were hashed at.
var DefaultArgon2 = Argon2{Time: 2, Memory: 64 * 1024, Threads: 2}

// MaxHashing is how many hashes a Service computes at once; further
// sign-ins wait (or give up when their context ends), so that a burst of
// them cannot take more than MaxHashing × 64 MiB.
const MaxHashing = 4

const (
	saltLen = 16 // bytes of random salt
	keyLen  = 32 // bytes of hash
)

// phc is the b64 of the PHC string format: standard alphabet, no padding.
var phc = base64.RawStdEncoding

// hashPassword returns the argon2id hash of password with a new random
// salt, in PHC string form: $argon2id$v=19$m=65536,t=2,p=2$SALT$HASH.
func hashPassword(password string, c Argon2) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, c.Time, c.Memory, c.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.Memory, c.Time, c.Threads,
		phc.EncodeToString(salt), phc.EncodeToString(key)), nil
}

// errBadHash: a stored hash this package cannot read.
var errBadHash = errors.New("auth: stored password hash is not argon2id in PHC string form")

// verifyPassword reports whether password hashes to encoded (a PHC string
// of hashPassword's, at whatever cost it records), comparing in constant
// time.
func verifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, errBadHash
	}
	var c Argon2
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &c.Memory, &c.Time, &c.Threads); n != 3 || err != nil ||
		c.Time == 0 || c.Threads == 0 || c.Memory < 8*uint32(c.Threads) || c.Memory > 4*1024*1024 {
		return false, errBadHash
	}
	salt, err := phc.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, errBadHash
	}
	want, err := phc.DecodeString(parts[5])
	if err != nil || len(want) < 16 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, c.Time, c.Memory, c.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
