package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"bdt/bdt/storage/s3/s3test"
)

// TestS3NoCredentials runs bdt run against a real S3 server (versitygw)
// with no credentials anywhere the SDK looks: the error names the
// environment variables and the profile that would give them.
func TestS3NoCredentials(t *testing.T) {
	srv := s3test.Start(t)
	bin := sharedBinary(t)
	bucket := srv.Bucket(t)
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "bdt.db")
	if out, err := exec.Command(bin, "register", "import", "--db", db, filepath.Join("..", "..", "samples", "register.xml")).CombinedOutput(); err != nil {
		t.Fatalf("register import: %v\n%s", err, out)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	for _, kv := range s3test.Env() {
		if !strings.HasPrefix(kv, "AWS_ACCESS_KEY_ID=") && !strings.HasPrefix(kv, "AWS_SECRET_ACCESS_KEY=") {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(bin, "run", "--db", db, "--s3-endpoint", srv.Endpoint,
		"--inbox", "s3://"+bucket+"/inbox", "--outbox", filepath.Join(dir, "outbox"), "--archive", filepath.Join(dir, "archive"),
		"--log-format", "json")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailed {
		t.Fatalf("bdt run with no credentials: %v (want exit %d)\n%s", err, exitFailed, out)
	}
	for _, want := range []string{"no AWS credentials found", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}
}
