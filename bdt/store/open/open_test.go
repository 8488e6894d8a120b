package open_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bdt/bdt/store"
	"bdt/bdt/store/open"
	"bdt/bdt/store/postgres"
	"bdt/bdt/store/postgres/pgtest"
)

func TestParse(t *testing.T) {
	tests := []struct {
		dsn     string
		want    open.DSN
		wantErr string
	}{
		{"sqlite:bdt.db", open.DSN{Driver: "sqlite", Scheme: "sqlite", Path: "bdt.db"}, ""},
		{"sqlite:data/bdt.db", open.DSN{Driver: "sqlite", Scheme: "sqlite", Path: "data/bdt.db"}, ""},
		{"sqlite:///var/lib/bdt/bdt.db", open.DSN{Driver: "sqlite", Scheme: "sqlite", Path: "/var/lib/bdt/bdt.db"}, ""},
		{"sqlite:/abs.db", open.DSN{Driver: "sqlite", Scheme: "sqlite", Path: "/abs.db"}, ""},
		{"bdt.db", open.DSN{Driver: "sqlite", Path: "bdt.db"}, ""},
		{"/tmp/x/bdt.db", open.DSN{Driver: "sqlite", Path: "/tmp/x/bdt.db"}, ""},
		{"postgres://u:p@host/db", open.DSN{Driver: "postgres", Scheme: "postgres"}, ""},
		{"postgresql://host/db", open.DSN{Driver: "postgres", Scheme: "postgresql"}, ""},
		{"host=db user=bdt password=secret dbname=bdt", open.DSN{Driver: "postgres"}, ""},
		{" dbname = bdt", open.DSN{Driver: "postgres"}, ""},
		{"host=db:5432 dbname=bdt", open.DSN{Driver: "postgres"}, ""},
		{"sqlite:a=b.db", open.DSN{Driver: "sqlite", Scheme: "sqlite", Path: "a=b.db"}, ""},
		{"", open.DSN{}, "empty DSN"},
		{"sqlite:", open.DSN{}, "no database path"},
		{"sqlite://relative.db", open.DSN{}, "sqlite:///absolute"},
		{"mysql://host/db", open.DSN{}, `unknown DSN scheme "mysql"`},
	}
	for _, tt := range tests {
		got, err := open.Parse(tt.dsn)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%q) = %+v, %v; want error %q", tt.dsn, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.dsn, got, err, tt.want)
		}
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "new.db")
	for _, how := range []func(context.Context, string) (store.Store, error){open.Existing, open.Present} {
		if _, err := how(ctx, "sqlite:"+path); !errors.Is(err, open.ErrNoRegister) {
			t.Errorf("Existing/Present of an absent database = %v; want ErrNoRegister", err)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("Existing created %s", path)
	}
	for _, dsn := range []string{"sqlite:" + path, "sqlite://" + path, path} {
		s, err := open.Open(ctx, dsn)
		if err != nil {
			t.Fatalf("Open(%q): %v", dsn, err)
		}
		s.Close()
		s, err = open.Existing(ctx, dsn)
		if err != nil {
			t.Fatalf("Existing(%q): %v", dsn, err)
		}
		s.Close()
	}
	_, err := open.Open(ctx, "postgres://bdt:hunter2@127.0.0.1:1/bdt?connect_timeout=5")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open(postgres, no server) = %v; want an error without the password", err)
	}
}

func TestOpenPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	// Existing and Present never create: an empty schema is refused.
	for _, how := range []func(context.Context, string) (store.Store, error){open.Existing, open.Present} {
		if s, err := how(ctx, dsn); !errors.Is(err, open.ErrNoRegister) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Existing/Present(an empty PostgreSQL schema) = %v; want ErrNoRegister", err)
		}
	}
	for _, d := range []string{dsn, strings.Replace(dsn, "postgres://", "postgresql://", 1)} {
		s, err := open.Open(ctx, d)
		if err != nil {
			t.Fatalf("Open(postgres): %v", err)
		}
		if _, ok := s.(*postgres.Store); !ok {
			t.Errorf("Open(postgres) = %T; want *postgres.Store", s)
		}
		s.Close()
	}
	s, err := open.Existing(ctx, dsn)
	if err != nil {
		t.Fatalf("Existing(a migrated PostgreSQL schema): %v", err)
	}
	s.Close()
}

func TestRedact(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"sqlite:bdt.db", "sqlite:bdt.db"},
		{"postgres://bdt:hunter2@db.example:5432/bdt?sslmode=require", "postgres://bdt:xxxxx@db.example:5432/bdt?sslmode=require"},
		{"postgres://db.example/bdt", "postgres://db.example/bdt"},
		{"postgres://db.example/bdt?sslmode=require&password=hunter2", "postgres://db.example/bdt?password=xxxxx&sslmode=require"},
		{"postgresql://u:p1@db/bdt?sslpassword=hunter2&PassWord=x", "postgresql://u:xxxxx@db/bdt?PassWord=xxxxx&sslpassword=xxxxx"},
		{"postgres://u:p1@db/bdt?%zz", "(a DSN that is not a valid URL)"},
		{"postgres://db/bdt?password=hun%zzter2", "(a DSN that is not a valid URL)"},
		{"host=db user=bdt password=hunter2 dbname=bdt", "host=db user=bdt password=xxxxx dbname=bdt"},
		{"host = db  password = 'hun ter\\' 2'  sslpassword=a\\ b dbname=bdt", "host=db password=xxxxx sslpassword=xxxxx dbname=bdt"},
		{"host=db password='unterminated", "(a DSN that does not parse)"},
		{"host=db password", "(a DSN that does not parse)"},
	}
	for _, tt := range tests {
		if got := open.Redact(tt.dsn); got != tt.want {
			t.Errorf("Redact(%q) = %q; want %q", tt.dsn, got, tt.want)
		}
	}
}
