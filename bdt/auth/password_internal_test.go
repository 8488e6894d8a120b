package auth

import (
	"strings"
	"testing"
)

// The cost every password is hashed at is the one the README states, and
// a hash records it.
func TestDefaultCost(t *testing.T) {
	h, err := hashPassword("Correct#Horse7", DefaultArgon2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Fatalf("hash %q: not argon2id at m=64 MiB, t=2, p=2", h)
	}
	for pw, want := range map[string]bool{"Correct#Horse7": true, "correct#Horse7": false, "": false} {
		if ok, err := verifyPassword(h, pw); ok != want || err != nil {
			t.Errorf("verify %q: %v, %v; want %v", pw, ok, err, want)
		}
	}
	again, _ := hashPassword("Correct#Horse7", DefaultArgon2)
	if again == h {
		t.Error("two hashes of one password are the same: no salt")
	}
}

func TestVerifyBadHash(t *testing.T) {
	good, _ := hashPassword("x", Argon2{Time: 1, Memory: 64, Threads: 1})
	for _, h := range []string{"", "plain", strings.Replace(good, "argon2id", "argon2i", 1),
		strings.Replace(good, "v=19", "v=16", 1), strings.Replace(good, "m=64", "m=0", 1),
		strings.Replace(good, "m=64", "m=99999999", 1), good[:len(good)-30], good + "$"} {
		if ok, err := verifyPassword(h, "x"); ok || err == nil {
			t.Errorf("verify against %q: %v, %v; want an error", h, ok, err)
		}
	}
	if ok, err := verifyPassword(good, "x"); !ok || err != nil {
		t.Errorf("verify against a good hash: %v, %v", ok, err)
	}
}
