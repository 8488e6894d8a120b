package main

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"bdt/bdt/action/actiontest"
	"bdt/bdt/auth"
	"bdt/bdt/store/sqlite"
	"bdt/rules"
)

// bdt users and bdt tokens through the real binary: a password read from
// standard input is checked, never shown, and signs in once it is set; the
// lockout is cleared by unlock; a token is printed once, listed without
// itself, and refused once revoked.
func TestUsersAndTokens(t *testing.T) {
	bin := sharedBinary(t)
	path := filepath.Join(t.TempDir(), "register.db")
	db := "sqlite:" + path
	if code, _, stderr := runBinaryInput(t, bin, "", "register", "import", "--db", db, actiontest.SamplePath()); code != exitOK {
		t.Fatalf("register import: exit %d: %s", code, stderr)
	}
	const weak = "password1"
	const good = "Fees!Office2026"
	secretFree := func(what, out string, secrets ...string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s shows a secret:\n%s", what, out)
			}
		}
	}

	code, stdout, stderr := runBinaryInput(t, bin, weak+"\n", "users", "set-password", "fees.office", "--db", db)
	if code != exitFailed || !strings.Contains(stderr, "at least one upper-case letter") || !strings.Contains(stderr, "between 12 and 256") {
		t.Errorf("a weak password: exit %d, stderr %q; want 1 and every unmet requirement", code, stderr)
	}
	secretFree("set-password of a weak password", stdout+stderr, weak)
	if code, _, stderr := runBinaryInput(t, bin, good+"\n", "users", "set-password", "nosuch", "--db", db); code != exitFailed || !strings.Contains(stderr, "not in the register") {
		t.Errorf("set-password of no user: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runBinaryInput(t, bin, "", "users", "set-password", "fees.office", "--db", db); code != exitUsage {
		t.Errorf("set-password without a password: exit %d, %q", code, stderr)
	}
	code, stdout, stderr = runBinaryInput(t, bin, good+"\r\n", "users", "set-password", "fees.office", "--db", db)
	if code != exitOK || !strings.Contains(stdout, "must be changed") {
		t.Fatalf("set-password: exit %d, %q %q", code, stdout, stderr)
	}
	secretFree("set-password", stdout+stderr, good)

	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	a := auth.New(auth.Params{Store: st})
	for range 3 {
		if res, err := a.SignIn(ctx, "fees.office", "Wrong#Password1"); err != nil || res.Outcome != rules.SignInWrongPassword {
			t.Fatalf("wrong password: %v, %v", res.Outcome, err)
		}
	}
	if res, err := a.SignIn(ctx, "fees.office", good); err != nil || res.Outcome != rules.SignInLocked {
		t.Fatalf("locked: %v, %v", res.Outcome, err)
	}
	if code, stdout, stderr := runBinaryInput(t, bin, "", "users", "unlock", "fees.office", "--db", db); code != exitOK || !strings.Contains(stdout, "unlocked fees.office") {
		t.Fatalf("unlock: exit %d, %q %q", code, stdout, stderr)
	}
	if res, err := a.SignIn(ctx, "fees.office", good); err != nil || res.Outcome != rules.SignInMustChange {
		t.Errorf("sign-in after unlock with the operator's password: %v, %v; want must change", res.Outcome, err)
	}
	if code, _, stderr := runBinaryInput(t, bin, "", "users", "unlock", "cdoherty", "--db", db); code != exitFailed || !strings.Contains(stderr, "no password") {
		t.Errorf("unlock of a user without a password: exit %d, %q", code, stderr)
	}

	code, stdout, stderr = runBinaryInput(t, bin, "", "tokens", "create", "--user", "fees.office", "--name", "fee system", "--db", db)
	token := strings.TrimSpace(stdout)
	if code != exitOK || !strings.HasPrefix(token, "bdt_") || strings.Count(stdout, "\n") != 1 || !strings.Contains(stderr, "shown only this once") {
		t.Fatalf("tokens create: exit %d, %q %q", code, stdout, stderr)
	}
	secretFree("tokens create's standard error", stderr, token)
	p, err := a.Token(ctx, token)
	if err != nil || p.User.ID != "fees.office" {
		t.Fatalf("the new token: %+v, %v", p, err)
	}
	if code, _, stderr := runBinaryInput(t, bin, "", "tokens", "create", "--user", "nosuch", "--db", db); code != exitFailed || !strings.Contains(stderr, "not in the register") {
		t.Errorf("tokens create for no user: exit %d, %q", code, stderr)
	}
	if code, _, _ := runBinaryInput(t, bin, "", "tokens", "create", "--db", db); code != exitUsage {
		t.Errorf("tokens create without --user: exit %d", code)
	}

	code, stdout, _ = runBinaryInput(t, bin, "", "tokens", "list", "--db", db)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != exitOK || len(lines) != 2 || !strings.Contains(lines[1], "fees.office") || !strings.Contains(lines[1], "fee system") {
		t.Fatalf("tokens list: exit %d:\n%s", code, stdout)
	}
	secretFree("tokens list", stdout, token, strings.TrimPrefix(token, "bdt_"))
	id := strings.Fields(lines[1])[0]
	if code, stdout, _ := runBinaryInput(t, bin, "", "tokens", "list", "--user", "cdoherty", "--db", db); code != exitOK || strings.Count(stdout, "\n") != 1 {
		t.Errorf("tokens list of a user without tokens: exit %d:\n%s", code, stdout)
	}

	if code, stdout, stderr := runBinaryInput(t, bin, "", "tokens", "revoke", id, "--db", db); code != exitOK || !strings.Contains(stdout, "revoked token "+id) {
		t.Fatalf("tokens revoke: exit %d, %q %q", code, stdout, stderr)
	}
	if _, err := a.Token(ctx, token); !errors.Is(err, auth.ErrNoToken) {
		t.Errorf("a revoked token: %v; want ErrNoToken", err)
	}
	n, _ := strconv.Atoi(id)
	if code, _, stderr := runBinaryInput(t, bin, "", "tokens", "revoke", strconv.Itoa(n+1), "--db", db); code != exitFailed || !strings.Contains(stderr, "no token") {
		t.Errorf("tokens revoke of no token: exit %d, %q", code, stderr)
	}
	if code, _, _ := runBinaryInput(t, bin, "", "tokens", "revoke", "x", "--db", db); code != exitUsage {
		t.Errorf("tokens revoke x: exit %d", code)
	}
	if code, stdout, _ := runBinaryInput(t, bin, "", "tokens", "list", "--db", db); code != exitOK || strings.Contains(stdout, " -\n") {
		t.Errorf("tokens list after a revocation: the token is not shown used and revoked:\n%s", stdout)
	}
}
