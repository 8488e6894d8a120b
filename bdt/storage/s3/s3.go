// Package s3 is the Storage of an S3 bucket and prefix, on the AWS SDK for
// Go v2. It reaches AWS S3 with the SDK's default credential chain and region
// (environment, shared config files, SSO, instance and container roles), and
// any S3-compatible server given its endpoint, with path-style addressing.
//
// Importing the package registers the s3:// scheme with storage.Open:
//
//	s3://bucket            the whole bucket
//	s3://bucket/inbox      keys under "inbox/"
//
// Keys are relative to the prefix: the object "inbox/4NUV7KB58/a.xml" of the
// location s3://bucket/inbox is the key "4NUV7KB58/a.xml". Objects under the
// prefix whose relative key is not safe (storage.CheckKey: "..", empty
// segments, control characters…) are listed as skipped and never opened,
// written or archived, so no key reaches outside its prefix or its sponsor
// folder.
//
// Reads stream the GetObject body; a read that fails part way returns an
// error, never a short file. Writes are single PutObject requests, which S3
// makes visible complete or not at all. Every request is retried with
// exponential backoff and jitter by the SDK's standard retryer on throttling,
// 5xx responses and connection errors.
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"bdt/bdt/storage"
)

// Defaults of Params.
const (
	// DefaultMaxAttempts is how many times a request is tried in all.
	DefaultMaxAttempts = 5
	// DefaultMaxBackoff caps the wait between two attempts.
	DefaultMaxBackoff = 20 * time.Second
	// DefaultSpoolMemory is how much of a Put body is held in memory; a
	// longer body is spooled to a temporary file.
	DefaultSpoolMemory = 1 << 20
	// DefaultRegion is the region used with an Endpoint when the SDK's
	// configuration names none (S3-compatible servers mostly ignore it).
	DefaultRegion = "us-east-1"
)

// Params say which bucket and prefix a Store works in and how to reach it.
type Params struct {
	Bucket string
	// Prefix is the folder within the bucket, without leading or trailing
	// slashes ("" for the whole bucket). Each of its segments must be a
	// safe key (storage.CheckKey).
	Prefix string
	// Endpoint is the URL of an S3-compatible server, such as
	// http://127.0.0.1:7070; "" for AWS S3 (or for the endpoint the SDK's
	// configuration names, AWS_ENDPOINT_URL_S3).
	Endpoint string
	// Region overrides the SDK's configured region (AWS_REGION, profile).
	Region string
	// PathStyle addresses buckets as ENDPOINT/BUCKET/KEY rather than
	// BUCKET.ENDPOINT/KEY, as most S3-compatible servers need.
	PathStyle bool
	// Credentials replace the SDK's default credential chain when not nil.
	Credentials aws.CredentialsProvider

	// MaxAttempts is how many times a request is tried (default
	// DefaultMaxAttempts); MaxBackoff caps the wait between two attempts
	// (default DefaultMaxBackoff).
	MaxAttempts int
	MaxBackoff  time.Duration
	// PageSize is the number of keys asked for per ListObjectsV2 page
	// (0: the server's default, 1000 on S3).
	PageSize int32
	// SpoolDir is where Put spools a body longer than SpoolMemory bytes
	// (default: os.TempDir(); DefaultSpoolMemory).
	SpoolDir    string
	SpoolMemory int
}

// Store is the Storage of one bucket and prefix.
type Store struct {
	client      *s3.Client
	bucket      string
	prefix      string // "" or ending in "/"
	service     string // endpoint and region: two Stores with the same one can copy server-side
	pageSize    int32
	spoolDir    string
	spoolMemory int
}

var (
	_ storage.Storage = (*Store)(nil)
	_ storage.Copier  = (*Store)(nil)
)

func init() {
	storage.Register("s3", func(ctx context.Context, location string, opt storage.Options) (storage.Storage, error) {
		bucket, prefix, err := ParseLocation(location)
		if err != nil {
			return nil, err
		}
		return New(ctx, Params{Bucket: bucket, Prefix: prefix, Endpoint: opt.S3Endpoint, PathStyle: opt.S3Endpoint != ""})
	})
}

// ParseLocation splits an s3://bucket/prefix location into its bucket and
// prefix (without slashes at either end).
func ParseLocation(location string) (bucket, prefix string, err error) {
	u, err := url.Parse(location)
	if err != nil {
		return "", "", fmt.Errorf("storage: location %q: %w", location, err)
	}
	switch {
	case u.Scheme != "s3":
		return "", "", fmt.Errorf("storage: location %q is not s3://bucket/prefix", location)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return "", "", fmt.Errorf("storage: location %q: want s3://bucket/prefix, nothing more (credentials come from the SDK's default chain)", location)
	case u.Host == "":
		return "", "", fmt.Errorf("storage: location %q names no bucket", location)
	case strings.Contains(u.Host, ":"):
		return "", "", fmt.Errorf("storage: location %q: %q is not a bucket name (give a server's address with --s3-endpoint)", location, u.Host)
	}
	return u.Host, strings.Trim(u.Path, "/"), nil
}

// New returns the Store for p. It loads the SDK's configuration (region and
// credentials) but sends no request: a missing bucket or refused credentials
// show at the first List, Open or Put.
func New(ctx context.Context, p Params) (*Store, error) {
	if p.Bucket == "" || strings.ContainsAny(p.Bucket, "/\\") {
		return nil, fmt.Errorf("storage: s3: bad bucket name %q", p.Bucket)
	}
	prefix := strings.Trim(p.Prefix, "/")
	if prefix != "" {
		if err := storage.CheckKey(prefix); err != nil {
			return nil, fmt.Errorf("storage: s3://%s/%s: prefix: %w", p.Bucket, p.Prefix, err)
		}
		prefix += "/"
	}
	if p.Endpoint != "" {
		u, err := url.Parse(p.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("storage: S3 endpoint %q is not an http:// or https:// URL", p.Endpoint)
		}
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	if p.SpoolMemory <= 0 {
		p.SpoolMemory = DefaultSpoolMemory
	}

	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = p.MaxAttempts
				o.MaxBackoff = p.MaxBackoff
			})
		}),
		// The default client has no limit on waiting for a response: a
		// server that accepts a request and never answers would hang the
		// run. The limit covers the wait for the response's headers only;
		// a body streams for as long as it takes.
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.ResponseHeaderTimeout = 2 * time.Minute
		})),
	}
	if p.Region != "" {
		opts = append(opts, config.WithRegion(p.Region))
	}
	if p.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(p.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("storage: s3: load AWS configuration: %w", err)
	}
	if p.Credentials == nil && cfg.Credentials != nil {
		cfg.Credentials = credentialsHint{cfg.Credentials}
	}
	if cfg.Region == "" {
		if p.Endpoint == "" && cfg.BaseEndpoint == nil {
			return nil, fmt.Errorf("storage: s3://%s: no AWS region configured (set AWS_REGION)", p.Bucket)
		}
		cfg.Region = DefaultRegion
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if p.Endpoint != "" {
			o.BaseEndpoint = aws.String(p.Endpoint)
		}
		o.UsePathStyle = p.PathStyle
		// Objects uploaded by other tools often carry no checksum; the SDK
		// would print a warning to stderr on every download of one.
		// Those that carry one are still verified as they stream.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	endpoint := p.Endpoint
	if endpoint == "" && cfg.BaseEndpoint != nil {
		endpoint = *cfg.BaseEndpoint
	}
	return &Store{
		client:      client,
		bucket:      p.Bucket,
		prefix:      prefix,
		service:     endpoint + " " + cfg.Region,
		pageSize:    p.PageSize,
		spoolDir:    p.SpoolDir,
		spoolMemory: p.SpoolMemory,
	}, nil
}

// credentialsHint is the SDK's default credential chain, whose failure
// names the ways an operator gives bdt credentials (the SDK's own message
// speaks only of the last link it tried, the EC2 instance metadata).
type credentialsHint struct{ aws.CredentialsProvider }

func (c credentialsHint) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := c.CredentialsProvider.Retrieve(ctx)
	if err != nil {
		return creds, fmt.Errorf("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "+
			"or AWS_PROFILE (a profile of ~/.aws/config), or run with an instance or task role (the SDK says: %w)", err)
	}
	return creds, nil
}

// String returns the location, s3://bucket/prefix.
func (s *Store) String() string {
	return "s3://" + s.bucket + "/" + strings.TrimSuffix(s.prefix, "/")
}

// Client returns the SDK client the Store uses.
func (s *Store) Client() *s3.Client { return s.client }

func (s *Store) name(key string) string { return "s3://" + s.bucket + "/" + s.prefix + key }

// List lists the objects whose keys, relative to the prefix, start with
// prefix, page by page (ListObjectsV2), sorted by key. Objects whose
// relative key is not safe are returned in skipped; "folder" markers (empty
// objects whose key ends in a slash, which consoles create) are left out.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Object, []storage.Skipped, error) {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(s.prefix + prefix)}
	if s.pageSize > 0 {
		in.MaxKeys = aws.Int32(s.pageSize)
	}
	var objs []storage.Object
	var skipped []storage.Skipped
	pages := s3.NewListObjectsV2Paginator(s.client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if isNoBucket(err) {
			return nil, nil, fmt.Errorf("%w: bucket %s", storage.ErrNoLocation, s.bucket)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("storage: list %s: %w", s, err)
		}
		for _, o := range page.Contents {
			full := aws.ToString(o.Key)
			key, ok := strings.CutPrefix(full, s.prefix)
			if !ok || !strings.HasPrefix(key, prefix) {
				// Not asked for (the server ignored the prefix).
				continue
			}
			size := aws.ToInt64(o.Size)
			if strings.HasSuffix(key, "/") && size == 0 && storage.CheckKey(strings.TrimSuffix(key, "/")) == nil {
				continue // a folder marker
			}
			if err := storage.CheckKey(key); err != nil {
				reason := err.Error()
				var ke *storage.KeyError
				if errors.As(err, &ke) {
					reason = ke.Reason
				}
				skipped = append(skipped, storage.Skipped{Key: fmt.Sprintf("%q", key), Reason: reason})
				continue
			}
			objs = append(objs, storage.Object{Key: key, Size: size, ModTime: aws.ToTime(o.LastModified)})
		}
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].Key < objs[j].Key })
	return objs, skipped, nil
}

// Open streams the object's body. A read that fails part way (the
// connection drops) returns an error; the body is never silently short.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := storage.CheckKey(key); err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + key)})
	if isNotFound(err) {
		return nil, fmt.Errorf("%w: %s", storage.ErrNotFound, s.name(key))
	}
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", s.name(key), err)
	}
	return &body{rc: out.Body, name: s.name(key), want: aws.ToInt64(out.ContentLength)}, nil
}

// body is a GetObject body that names the object in its errors and checks
// that as many bytes arrived as the response announced.
type body struct {
	rc   io.ReadCloser
	name string
	want int64 // Content-Length, or 0 when not announced
	got  int64
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.got += int64(n)
	switch {
	case err == io.EOF && b.want > 0 && b.got < b.want:
		err = io.ErrUnexpectedEOF
	case err == io.EOF || err == nil:
		return n, err
	}
	return n, fmt.Errorf("storage: read %s after %d bytes: %w", b.name, b.got, err)
}

func (b *body) Close() error { return b.rc.Close() }

// Put stores r under key with one PutObject request, which S3 makes visible
// complete or not at all. r is first read to its end, into memory up to
// SpoolMemory bytes and into a temporary file (deleted at once) beyond, so
// that the request has a known length and can be sent again by a retry; a
// reader that fails leaves nothing behind.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	if err := storage.CheckKey(key); err != nil {
		return err
	}
	rs, size, done, err := spool(r, s.spoolDir, s.spoolMemory)
	if err != nil {
		return fmt.Errorf("storage: write %s: %w", s.name(key), err)
	}
	defer done()
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(s.prefix + key),
		Body:          rs,
		ContentLength: aws.Int64(size),
		ContentType:   aws.String(contentType(key)),
	})
	if err != nil {
		return fmt.Errorf("storage: write %s: %w", s.name(key), err)
	}
	return nil
}

// spool reads r to its end and returns what it read as a ReadSeeker: in
// memory while it is at most limit bytes, in an unlinked temporary file in
// dir beyond that. done releases the file.
func spool(r io.Reader, dir string, limit int) (rs io.ReadSeeker, size int64, done func(), err error) {
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, int64(limit)+1)
	if err == io.EOF {
		return bytes.NewReader(buf.Bytes()), n, func() {}, nil
	}
	if err != nil {
		return nil, 0, nil, err
	}
	f, err := os.CreateTemp(dir, "bdt-s3-put-*")
	if err != nil {
		return nil, 0, nil, err
	}
	// Unlinked at once where the system allows it (the open file lives on),
	// so a crash leaves no temporary file behind.
	removed := os.Remove(f.Name()) == nil
	done = func() {
		f.Close()
		if !removed {
			os.Remove(f.Name())
		}
	}
	if size, err = io.Copy(f, io.MultiReader(&buf, r)); err != nil {
		done()
		return nil, 0, nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		done()
		return nil, 0, nil, err
	}
	return f, size, done, nil
}

// contentType is the Content-Type of the files bdt writes, by extension.
func contentType(key string) string {
	switch path.Ext(key) {
	case ".xml":
		return "application/xml"
	case ".csv":
		return "text/csv; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	}
	return "application/octet-stream"
}

// Delete removes key; a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := storage.CheckKey(key); err != nil {
		return err
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(s.prefix + key)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("storage: delete %s: %w", s.name(key), err)
	}
	return nil
}

// isNoBucket reports whether err says the bucket does not exist.
func isNoBucket(err error) bool {
	var nb *types.NoSuchBucket
	var ae smithy.APIError
	return errors.As(err, &nb) || errors.As(err, &ae) && ae.ErrorCode() == "NoSuchBucket"
}

// isNotFound reports whether err says the object (or, for a copy, its
// source) does not exist.
func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound")
}
