package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"bdt/bdt/intake"
	"bdt/bdt/storage"
	"bdt/bdt/store/open"
)

// TestFilesShowsUploads: `bdt files list` shows an upload not yet claimed
// (RECEIVED) and who uploaded it, `--status RECEIVED` selects it, and
// `bdt files show` names the uploader and the client's file name.
func TestFilesShowsUploads(t *testing.T) {
	bin := sharedBinary(t)
	registers(t, bin, func(t *testing.T, db string) {
		ctx := context.Background()
		st, err := open.Existing(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		inbox, err := storage.NewLocal(filepath.Join(t.TempDir(), "inbox"))
		if err != nil {
			t.Fatal(err)
		}
		up, err := intake.Receive(ctx, intake.ReceiveParams{Store: st, Inbox: inbox, Licence: "4NUV7KB58", User: "fees.office",
			ClientName: "fees december.xml", Body: strings.NewReader("<x/>"), MaxSize: 100, Now: time.Now()})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		row := regexp.MustCompile(`(?m)^` + strconv.FormatInt(up.ID, 10) + `\s+4NUV7KB58\s+` + regexp.QuoteMeta(up.Name) +
			`\s+-\s+RECEIVED\s+0\s+0\s+0\s+0\s+-\s+fees\.office$`)
		for _, args := range [][]string{{"files", "list", "--db", db}, {"files", "list", "--db", db, "--status", "RECEIVED"}} {
			code, out, errOut := runBinary(t, bin, args...)
			if code != 0 || !row.MatchString(out) {
				t.Errorf("%v: exit %d, stderr %s; output\n%s\nwant a row matching %s", args, code, errOut, out, row)
			}
		}
		code, out, errOut := runBinary(t, bin, "files", "show", "--db", db, strconv.FormatInt(up.ID, 10))
		if code != 0 || !strings.Contains(out, `Uploaded by:      fees.office (portal or API, as "fees december.xml")`) ||
			!strings.Contains(out, "Status:           RECEIVED") {
			t.Errorf("files show: exit %d, stderr %s; output\n%s", code, errOut, out)
		}
	})
}
