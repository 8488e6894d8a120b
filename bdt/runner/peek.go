package runner

import (
	"context"
	"io"
	"regexp"
	"time"
)

// peekSize is how much of a file is read to find its header for ordering.
const peekSize = 16 << 10

var (
	reCreatedAt = regexp.MustCompile(`<(?:[A-Za-z_][\w.-]*:)?CreatedAt>\s*([^<\s]+)\s*<`)
	reFileID    = regexp.MustCompile(`<(?:[A-Za-z_][\w.-]*:)?(?:BulkReportingID|BulkUpdateFileId)>\s*([^<\s]+)\s*<`)
)

// peekHeader reads the start of an inbox file to find the header's creation
// timestamp (normalised to UTC when it parses) and file id, which order one
// sponsor's files. A file without them sorts first and is rejected by its
// own checks later; nothing here decides anything.
func (r *Runner) peekHeader(ctx context.Context, key string) (createdAt, fileID string) {
	rd, err := r.cfg.Inbox.Open(ctx, key)
	if err != nil {
		return "", ""
	}
	defer rd.Close()
	buf := make([]byte, peekSize)
	n, _ := io.ReadFull(rd, buf)
	buf = buf[:n]
	if m := reCreatedAt.FindSubmatch(buf); m != nil {
		createdAt = string(m[1])
		if t, err := time.Parse(time.RFC3339Nano, createdAt); err == nil {
			createdAt = t.UTC().Format("2006-01-02T15:04:05.000000000Z")
		}
	}
	if m := reFileID.FindSubmatch(buf); m != nil {
		fileID = string(m[1])
	}
	return createdAt, fileID
}
