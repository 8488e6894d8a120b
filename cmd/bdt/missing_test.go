package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"bdt/bdt/storage/s3/s3test"
)

// Nothing is created by accident (issue 16): an inbox that does not exist,
// a local folder or an S3 bucket, is refused by bdt run and serve with exit
// 2 and one line naming it and the command that makes it, and nothing is
// made (before: the folder was created, and the run ended with nothing to
// do, exit 0). The register's half is TestMissingRegisterIsRefused.

// oneLineRefusal fails t unless a verb's outcome is exit 2 and one line
// holding every one of want.
func oneLineRefusal(t *testing.T, what string, code int, stdout, stderr string, want ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	ok := code == exitUsage && len(lines) == 1 && strings.TrimSpace(stdout) == ""
	for _, w := range want {
		ok = ok && strings.Contains(stderr, w)
	}
	if !ok {
		t.Errorf("%s = exit %d\n%s%s\nwant exit 2 and one line holding %q", what, code, stdout, stderr, want)
	}
}

func TestMissingInboxFolderIsRefused(t *testing.T) {
	bin := sharedBinary(t)
	dir := namingDir(t, bin)
	if err := os.RemoveAll(filepath.Join(dir, "inbox")); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"run", "--now", hostileNow},
		{"serve", "--listen", ""},
		{"run", "--inbox", "file://" + filepath.Join(dir, "elsewhere")},
	} {
		code, stdout, stderr := bdtIn(t, bin, dir, args...)
		want := "inbox folder ./inbox does not exist; create it first: mkdir -p './inbox'"
		if len(args) > 2 && strings.HasPrefix(args[2], "file://") {
			want = "inbox folder " + filepath.Join(dir, "elsewhere") + " does not exist"
		}
		oneLineRefusal(t, "bdt "+strings.Join(args, " "), code, stdout, stderr, want)
		if got := entries(t, dir); !slices.Equal(got, []string{"bdt.db"}) {
			t.Fatalf("bdt %v left %v in the work folder; want only bdt.db", args, got)
		}
	}
}

func TestMissingInboxBucketIsRefused(t *testing.T) {
	srv := s3test.Start(t)
	bin := sharedBinary(t)
	dir := namingDir(t, bin)
	const bucket = "no-such-bucket"
	for _, verb := range []string{"run", "serve"} {
		args := []string{verb, "--s3-endpoint", srv.Endpoint, "--inbox", "s3://" + bucket + "/inbox",
			"--outbox", "s3://" + bucket + "/outbox", "--archive", "s3://" + bucket + "/archive"}
		if verb == "serve" {
			args = append(args, "--listen", "")
		}
		ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout) // a hang guard
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), s3test.Env()...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatal(err)
		}
		oneLineRefusal(t, "bdt "+verb+" on a missing bucket", cmd.ProcessState.ExitCode(), stdout.String(), stderr.String(),
			"inbox s3://"+bucket+"/inbox: bucket "+bucket+" does not exist", "create it first: aws s3 mb s3://"+bucket)
		if _, err := srv.Client().HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err == nil {
			t.Fatalf("bdt %s created bucket %s", verb, bucket)
		}
		if got := entries(t, dir); !slices.Equal(got, []string{"bdt.db", "inbox"}) {
			t.Fatalf("bdt %s left %v in the work folder", verb, got)
		}
	}
}
