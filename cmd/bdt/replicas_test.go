package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"bdt/bdt/ledger"
	"bdt/bdt/register"
	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/bdt/store/postgres/pgtest"
	"bdt/rules"
)

// The replica test's inbox: 10 sponsors, 5 files each, 40 records a file,
// one per certificate of the sponsor, so that every certificate gets one
// report from each of its sponsor's files, in the files' order.
const (
	replicaSponsors = 10
	replicaFiles    = 5
	replicaRecords  = 40
)

func replicaLicence(s int) string { return fmt.Sprintf("RPL%02dQX7K", s) }
func replicaUser(s int) string    { return fmt.Sprintf("rpl.admin%02d", s) }
func replicaCert(s, c int) string { return fmt.Sprintf("CAS27%02d%07d", s, c) }
func replicaFileID(s, f int) string {
	return fmt.Sprintf("RPL-%02d-%d", s, f)
}

// replicaRegister is the register the replicas work on.
func replicaRegister() *register.Fixture {
	fx := &register.Fixture{}
	for s := range replicaSponsors {
		fx.Sponsors = append(fx.Sponsors, rules.Sponsor{Licence: replicaLicence(s), Name: fmt.Sprintf("Replica University %d", s),
			Status: rules.LicenceARated, Routes: []rules.Route{rules.RouteStudent}, Nation: "ENGLAND_AND_WALES"})
		fx.Users = append(fx.Users, rules.User{ID: replicaUser(s), Sponsor: replicaLicence(s), Name: "Admin", Level: rules.Level1, Status: rules.UserActive})
		for c := range replicaRecords {
			fx.Certificates = append(fx.Certificates, rules.Certificate{Number: replicaCert(s, c), Kind: rules.CAS, Sponsor: replicaLicence(s),
				Status: rules.StatusUsed, CreatedBy: replicaUser(s), Owner: replicaUser(s),
				Person: rules.Person{FamilyName: fmt.Sprintf("Student %d-%d", s, c), GivenNames: "A", Nationality: "IND"},
				Course: &rules.Course{Title: "MSc", StartDate: rules.Date{Year: 2026, Month: 9, Day: 21}, EndDate: rules.Date{Year: 2027, Month: 9, Day: 17}}})
		}
	}
	return fx
}

// replicaStore opens the register at dsn, imports replicaRegister into it,
// and closes it when the test ends.
func replicaStore(t *testing.T, dsn string) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := open.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tx, err := st.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := replicaRegister().Import(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// replicaInbox returns the inbox files by key.
func replicaInbox() map[string]string {
	files := map[string]string{}
	for s := range replicaSponsors {
		for f := range replicaFiles {
			id := replicaFileID(s, f)
			var b strings.Builder
			// Names sort against the files' order, so that only the headers'
			// CreatedAt can put them in order.
			fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<StudentActivityReport xmlns="urn:uk:gov:ukvi:sms:bdt:studentactivity:v1">
  <Header>
    <SponsorLicenceNumber>%s</SponsorLicenceNumber>
    <SMSUserId>%s</SMSUserId>
    <BulkReportingID>%s</BulkReportingID>
    <CreatedAt>2026-11-22T%02d:00:00Z</CreatedAt>
    <RecordCount>%d</RecordCount>
  </Header>
`, replicaLicence(s), replicaUser(s), id, 8+f, replicaRecords)
			for c := range replicaRecords {
				fmt.Fprintf(&b, `  <StudentActivity>
    <SponsorReference>%s-%d</SponsorReference>
    <CASNumber>%s</CASNumber>
    <ActivityType>STUDENT_OTHER_CHANGE</ActivityType>
    <EventDate>2026-11-20</EventDate>
    <Details>Change of term-time address (%s, record %d).</Details>
  </StudentActivity>
`, id, c+1, replicaCert(s, c), id, c+1)
			}
			b.WriteString("</StudentActivityReport>\n")
			files[fmt.Sprintf("%s/upload-%d.xml", replicaLicence(s), replicaFiles-f)] = b.String()
		}
	}
	return files
}

// replica is one bdt run process.
type replica struct {
	name  string
	cmd   *exec.Cmd
	out   *os.File
	ended chan struct{} // closed when the process has ended; err and state are then set
	err   error
	state *os.ProcessState
}

// wait waits for the process to end and returns what exec.Cmd.Wait did.
func (r *replica) wait() error {
	<-r.ended
	return r.err
}

// running reports whether the process has not ended yet.
func (r *replica) running() bool {
	select {
	case <-r.ended:
		return false
	default:
		return true
	}
}

// startReplica starts bdt run as a real process. Where it can, it runs it in
// a UTS namespace of its own with its own host name, as on a machine of its
// own: a replica killed there is not recognised as a dead local process, so
// its leases are taken over only when they expire.
func startReplica(t *testing.T, bin, dir, dsn, name string, ownHost bool) *replica {
	t.Helper()
	args := []string{"run", "--db", dsn,
		"--inbox", filepath.Join(dir, "inbox"), "--outbox", filepath.Join(dir, "outbox"), "--archive", filepath.Join(dir, "archive"),
		"--now", "2026-11-23T02:00:00Z", "--workers", "2", "--log-format", "json", "--lease-ttl", "3s"}
	var cmd *exec.Cmd
	if ownHost {
		cmd = exec.Command("unshare", append([]string{"--uts", "--", "sh", "-c", `hostname "$0" && exec "$@"`, name, bin}, args...)...)
	} else {
		cmd = exec.Command(bin, args...)
	}
	out, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &replica{name: name, cmd: cmd, out: out, ended: make(chan struct{})}
	go func() {
		r.err = cmd.Wait()
		r.state = cmd.ProcessState
		close(r.ended)
	}()
	t.Cleanup(func() {
		if r.running() {
			cmd.Process.Kill()
		}
		r.wait()
		out.Close()
	})
	return r
}

// log returns what the replica printed.
func (r *replica) log(t *testing.T) string {
	b, _ := os.ReadFile(r.out.Name())
	return string(b)
}

// canOwnHost reports whether replicas can run with host names of their own.
func canOwnHost() bool {
	return exec.Command("unshare", "--uts", "--", "sh", "-c", `hostname bdt-probe`).Run() == nil
}

// TestReplicas runs three bdt run processes against one PostgreSQL register
// and one inbox of 50 files from 10 sponsors, kills one of them with SIGKILL
// while it holds a sponsor's queue, lets its lease expire and the queue be
// taken over, and checks that every file was processed exactly once, every
// record applied once, each sponsor's files applied in order, and every
// report written.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bdt as real processes")
	}
	dsn := pgtest.DSN(t)
	bin := sharedBinary(t)
	ctx := context.Background()
	dir := t.TempDir()

	st := replicaStore(t, dsn)
	files := replicaInbox()
	for key, body := range files {
		p := filepath.Join(dir, "inbox", filepath.FromSlash(key))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	ownHost := canOwnHost()
	if !ownHost {
		t.Log("unshare --uts is not available: the replicas share a host name, so the killed one's leases are taken over as a dead local process's rather than on expiry")
	}
	var replicas []*replica
	byPID := map[int]*replica{}
	for i := range 3 {
		r := startReplica(t, bin, dir, dsn, fmt.Sprintf("replica-%d", i), ownHost)
		replicas = append(replicas, r)
		byPID[r.cmd.Process.Pid] = r
	}

	// Wait until the run is well under way and a replica holds a sponsor's
	// queue; kill that one.
	var victim *replica
	var victimLease string
	deadline := time.Now().Add(2 * time.Minute)
	for victim == nil {
		if time.Now().After(deadline) {
			t.Fatal("no replica was seen holding a sponsor's queue mid-run")
		}
		done, err := st.FileList(ctx, store.FileListParams{Status: ledger.Accepted})
		if err != nil {
			t.Fatal(err)
		}
		if len(done) >= 5 {
			for s := range replicaSponsors {
				name := "sponsor:" + replicaLicence(s)
				holder, err := st.LeaseOwner(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				parts := strings.Split(holder, "/")
				if len(parts) != 3 {
					continue
				}
				pid, _ := strconv.Atoi(parts[1])
				// The holder must still be running; one that ended has
				// released its leases, or crashed on its own.
				if r := byPID[pid]; r != nil && r.running() && r.cmd.Process.Kill() == nil {
					victim, victimLease = r, name
					break
				}
			}
		}
		if victim == nil {
			allDone := true
			for _, r := range replicas {
				allDone = allDone && !r.running()
			}
			if allDone {
				t.Fatal("every replica finished before one could be killed mid-run")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	killedAt, _ := st.FileList(ctx, store.FileListParams{Status: ledger.Accepted})
	t.Logf("killed %s (SIGKILL) holding %s, with %d of %d files accepted", victim.name, victimLease, len(killedAt), len(files))
	if err := victim.wait(); err == nil || !killedBySIGKILL(victim.state) {
		t.Fatalf("%s ended with %v, not SIGKILL", victim.name, err)
	}
	for _, r := range replicas {
		if r == victim {
			continue
		}
		err := r.wait()
		// A survivor exits 0, or 1 when a file it worked on had to be left
		// pending (a lease lost to a stalled renewal): never anything else.
		if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != exitFailed) {
			t.Errorf("%s: %v\n%s", r.name, err, r.log(t))
		}
	}

	// Whatever the killed replica held is left to its lease: another replica
	// takes it over once the lease has expired (on the database's clock, in
	// the replicas' processes: the test cannot move it on, so it polls).
	var inboxAfterSurvivors []string
	for attempt := 0; ; attempt++ {
		left := inboxFiles(t, dir)
		if len(left) == 0 {
			t.Logf("the survivors left %s; %d more run(s) finished the inbox", replicaPlural(len(inboxAfterSurvivors), "file"), attempt)
			break
		}
		if attempt == 0 {
			inboxAfterSurvivors = left
		}
		if attempt == 30 {
			t.Fatalf("files still in the inbox after %d more runs: %v", attempt, left)
		}
		waitLeasesFree(t, st)
		r := startReplica(t, bin, dir, dsn, fmt.Sprintf("finisher-%d", attempt), ownHost)
		if err := r.wait(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFailed {
				t.Fatalf("%s: %v\n%s", r.name, err, r.log(t))
			}
		}
	}
	verifyReplicas(t, st, folderBoxes(dir), slices.Collect(maps.Keys(files)), true)
}

// waitLeasesFree polls until no sponsor's queue is leased: a lease is free
// once the test can take it itself (it gives it straight back).
func waitLeasesFree(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	const probe = "replicas-test"
	for s := range replicaSponsors {
		name := "sponsor:" + replicaLicence(s)
		eventually(t, name+" to be free", func() bool {
			ok, err := st.LeaseAcquire(ctx, store.LeaseParams{Name: name, Owner: probe, TTL: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			return ok
		})
		if err := st.LeaseRelease(ctx, name, probe); err != nil {
			t.Fatal(err)
		}
	}
}

// inboxFiles lists the files left in the inbox.
func inboxFiles(t *testing.T, dir string) []string {
	var left []string
	filepath.WalkDir(filepath.Join(dir, "inbox"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	return left
}

// replicaPlural is "1 file" or "n files".
func replicaPlural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
