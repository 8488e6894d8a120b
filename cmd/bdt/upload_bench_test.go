package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"bdt/bdt/storage/s3/s3test"
)

// BenchmarkUploads' flags; .ci/bench.sh --uploads N passes them (make
// bench): go test ./cmd/bdt -run '^$' -bench Uploads -benchtime 1x -args
// -uploads 200.
var (
	uploadsN           = flag.Int("uploads", 200, "BenchmarkUploads: files uploaded")
	uploadsRecords     = flag.Int("upload-records", 1000, "BenchmarkUploads: records a file")
	uploadsConcurrency = flag.Int("upload-concurrency", 8, "BenchmarkUploads: uploads in flight at once")
	uploadsBin         = flag.String("upload-bdt", "", "BenchmarkUploads: the bdt binary (default: built from this checkout)")
	uploadsWork        = flag.String("upload-work", "", "BenchmarkUploads: a directory keeping the generated files and register between runs (default: a temporary one)")
)

// uploadsPoll is how often BenchmarkUploads asks for the files' statuses:
// its time to a final status is to within this.
const uploadsPoll = 100 * time.Millisecond

// BenchmarkUploads (issue 13): -uploads fee update files of
// -upload-records records each, from 8 sponsors (bdt gen: a tenth of the
// records rejected), uploaded over the API -upload-concurrency at a time
// to a real bdt serve (SQLite register, --workers 2, no schedule: runs
// come from the uploads' nudges), with the inbox, outbox and archive in a
// folder and in S3 (versitygw). It reports uploads/s (the files over the
// time from the first upload sent to the last 202), the 95th percentile of
// each file's time to its 202 and to a final status (polled every
// uploadsPoll), and files/s to a final status.
func BenchmarkUploads(b *testing.B) {
	bin := *uploadsBin
	if bin == "" {
		bin = sharedBinary(b)
	}
	set := newUploadSet(b, bin)
	for _, where := range []string{"folder", "s3"} {
		b.Run(where, func(b *testing.B) {
			var to202, toFinal []time.Duration
			var wall202, wallFinal time.Duration
			for range b.N {
				b.StopTimer()
				dir := b.TempDir()
				bx := folderBoxes(dir)
				if where == "s3" {
					bx = s3Boxes(b, s3test.Start(b))
				}
				db := filepath.Join(dir, "bdt.db")
				if err := exec.Command("cp", set.template, db).Run(); err != nil {
					b.Fatal(err)
				}
				p := startPortalProc(b, bin, "sqlite:"+db, bx, nil, "--workers", "2")
				clients := map[string]*apiClient{}
				for licence, user := range set.users {
					clients[licence] = newAPIClient(b, p.portal, createToken(b, bin, "sqlite:"+db, user))
				}
				b.StartTimer()
				r := set.upload(b, clients)
				b.StopTimer()
				p.cmd.Process.Signal(syscall.SIGTERM)
				p.cmd.Wait()
				to202, toFinal = append(to202, r.to202...), append(toFinal, r.toFinal...)
				wall202, wallFinal = wall202+r.wall202, wallFinal+r.wallFinal
				b.Logf("%s: %d files: %v", where, len(set.files), r.statuses)
			}
			n := float64(len(to202))
			b.ReportMetric(n/wall202.Seconds(), "uploads/s")
			b.ReportMetric(n/wallFinal.Seconds(), "files/s")
			b.ReportMetric(ms(percentile(to202, 95)), "p95-202-ms")
			b.ReportMetric(ms(percentile(toFinal, 95)), "p95-final-ms")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentile is the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)*p+99)/100-1]
}

// uploadSet is BenchmarkUploads' files and the register they go with.
type uploadSet struct {
	template string            // the imported register (SQLite), copied for each run
	users    map[string]string // licence: the user its files' headers name
	files    []uploadFile      // in the order they are sent: sponsors in turn
}

type uploadFile struct {
	licence, name, path string
}

var smsUserID = regexp.MustCompile(`<SMSUserId>([^<]+)</SMSUserId>`)

// newUploadSet generates the files (bdt gen) and imports their register,
// or finds them under -upload-work from an earlier run.
func newUploadSet(b *testing.B, bin string) *uploadSet {
	b.Helper()
	n, records := *uploadsN, *uploadsRecords
	sponsors := min(8, n)
	dir := b.TempDir()
	if *uploadsWork != "" {
		dir = filepath.Join(*uploadsWork, fmt.Sprintf("uploads-%d-%d", n, records))
	}
	set := &uploadSet{template: filepath.Join(dir, "template.db"), users: map[string]string{}}
	if !exists(set.template) {
		os.RemoveAll(dir)
		out, err := exec.Command(bin, "gen", "--seed", "13", "--sponsors", fmt.Sprint(sponsors), "--files", fmt.Sprint((n+sponsors-1)/sponsors),
			"--records", fmt.Sprint(records), "--kind", "feeupdate", "--out", dir).CombinedOutput()
		if err != nil {
			b.Fatalf("bdt gen: %v\n%s", err, out)
		}
		if out, err := exec.Command(bin, "register", "import", "--db", "sqlite:"+set.template+".new", filepath.Join(dir, "register.xml")).CombinedOutput(); err != nil {
			b.Fatalf("register import: %v\n%s", err, out)
		}
		if err := os.Rename(set.template+".new", set.template); err != nil {
			b.Fatal(err)
		}
	}
	var manifest struct {
		Files []struct{ Key, Licence string }
	}
	data, err := os.ReadFile(filepath.Join(dir, "gen.json"))
	if err == nil {
		err = json.Unmarshal(data, &manifest)
	}
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range manifest.Files {
		p := filepath.Join(dir, "inbox", filepath.FromSlash(f.Key))
		set.files = append(set.files, uploadFile{licence: f.Licence, name: filepath.Base(p), path: p})
		if set.users[f.Licence] == "" {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			m := smsUserID.FindSubmatch(data[:min(len(data), 4096)])
			if m == nil {
				b.Fatalf("%s: no SMSUserId in its header", p)
			}
			set.users[f.Licence] = string(m[1])
		}
	}
	sort.SliceStable(set.files, func(i, j int) bool { return set.files[i].name < set.files[j].name })
	set.files = set.files[:min(n, len(set.files))]
	return set
}

// uploadRun is what one round of uploads measured.
type uploadRun struct {
	to202, toFinal     []time.Duration // each file's, from its upload sent
	wall202, wallFinal time.Duration   // from the first upload sent to the last 202, to the last final status
	statuses           map[string]int  // files by final status
}

// upload sends the set's files, -upload-concurrency at a time, each with
// its sponsor's client, and polls the sponsors' file lists until every
// file has a final status.
func (set *uploadSet) upload(b *testing.B, clients map[string]*apiClient) uploadRun {
	b.Helper()
	n := len(set.files)
	var mu sync.Mutex
	sent := make([]time.Time, n)
	to202 := make([]time.Duration, n)
	toFinal := make([]time.Duration, n)
	index := map[int64]int{} // ledger id: file
	var errs []error
	start := time.Now()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range *uploadsConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				f := set.files[i]
				body, err := os.Open(f.path)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					continue
				}
				t0 := time.Now()
				_, af, err := clients[f.licence].upload(context.Background(), f.name, body)
				d := time.Since(t0)
				body.Close()
				mu.Lock()
				sent[i], to202[i] = t0, d
				if err != nil {
					errs = append(errs, err)
				} else {
					index[af.ID] = i
				}
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	r := uploadRun{statuses: map[string]int{}}
	if len(errs) > 0 {
		b.Fatalf("%d of %d uploads failed; the first: %v", len(errs), n, errs[0])
	}
	for i := range n {
		r.wall202 = max(r.wall202, sent[i].Add(to202[i]).Sub(start))
	}

	// The sponsors' lists, every uploadsPoll, until each file is final.
	deadline := time.Now().Add(15 * time.Minute)
	for done := 0; done < n; time.Sleep(uploadsPoll) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d files still not processed after 15 minutes", n-done, n)
		}
		for _, c := range clients {
			for path := "/api/v1/files?limit=500"; path != ""; {
				var page struct {
					Files []apiFile
					Links map[string]string
				}
				if _, err := c.do(context.Background(), "GET", path, nil, 200, &page); err != nil {
					b.Fatal(err)
				}
				seen := time.Now()
				for _, f := range page.Files {
					i, ok := index[f.ID]
					if !ok || toFinal[i] != 0 || !finalStatus(f.Status) {
						continue
					}
					toFinal[i] = seen.Sub(sent[i])
					r.wallFinal = max(r.wallFinal, seen.Sub(start))
					r.statuses[f.Status]++
					done++
				}
				path = page.Links["next"]
			}
		}
	}
	r.to202, r.toFinal = to202, toFinal
	return r
}
