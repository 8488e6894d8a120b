package auth

import "testing"

// BenchmarkHashDefault is the cost of one hash at DefaultArgon2, the time a
// sign-in spends on the password (the README states it).
func BenchmarkHashDefault(b *testing.B) {
	for b.Loop() {
		if _, err := hashPassword("Correct#Horse7", DefaultArgon2); err != nil {
			b.Fatal(err)
		}
	}
}
