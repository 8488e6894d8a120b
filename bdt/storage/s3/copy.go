package s3

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"bdt/bdt/storage"
)

// CopyTo copies key to dstKey in dst with a server-side CopyObject when
// dst is a Store of the same endpoint and region (archiving within one
// service moves no data through this process, renamed or not), and
// reports false otherwise. A missing source is ErrNotFound. CopyObject
// copies objects of up to 5 GiB.
func (s *Store) CopyTo(ctx context.Context, dst storage.Storage, key, dstKey string) (bool, error) {
	d, ok := dst.(*Store)
	if !ok || d.service != s.service {
		return false, nil
	}
	for _, k := range []string{key, dstKey} {
		if err := storage.CheckKey(k); err != nil {
			return false, err
		}
	}
	_, err := d.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:     aws.String(d.bucket),
		Key:        aws.String(d.prefix + dstKey),
		CopySource: aws.String(escapePath(s.bucket + "/" + s.prefix + key)),
	})
	if isNotFound(err) {
		return false, fmt.Errorf("%w: %s", storage.ErrNotFound, s.name(key))
	}
	if err != nil {
		return false, fmt.Errorf("storage: copy %s to %s: %w", s.name(key), d.name(dstKey), err)
	}
	return true, nil
}

// escapePath percent-encodes every byte of p but the unreserved characters
// of RFC 3986 and the slash, as CopySource must be.
func escapePath(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
