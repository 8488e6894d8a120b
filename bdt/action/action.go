// Package action performs the one-at-a-time actions of the SMS screens
// (report activity on one CAS or CoS, update the fees of a CAS, add a sponsor
// note, withdraw a CAS or a CoS, transfer CoS to another user, show a
// certificate) through the same rules engine that applies bulk files.
//
// One action is one transaction on the register: Do begins it, loads the
// actor (the acting SMS user and the user's sponsor) and the register state
// the operation names (the certificates, the transfer target user), asks
// rules.EvaluateAction for the decision, and applies and commits the changes
// when the decision is accepted; a rejected action is rolled back, so nothing
// changes. Show reads a certificate for a user under the same visibility rules
// (rules.CheckView): another sponsor's certificate reads exactly like a
// missing one, and a suspended or dormant licence may not view any
// (F.LICENCE.SUSPENDED), though it may still act.
//
// Who acts: the actor is named by an SMS user id. The sponsor is the user's
// own sponsor; a caller may also name the licence it expects (Who.Sponsor),
// and the action is then refused with F.USER unless the user belongs to that
// licence, in the same words whether or not the licence exists.
package action

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"bdt/bdt/store"
	"bdt/rules"
)

// Who is the SMS user performing an action, and when.
type Who struct {
	// User is the id of the acting SMS user.
	User string
	// Sponsor, when set, is the licence the user must belong to; "" takes
	// the user's own sponsor.
	Sponsor string
	// Now is the processing time: it dates the changes, decides lateness and
	// makes the confirmation reference. It must not be zero.
	Now time.Time
}

// Source returns the origin of action op made by w, for rules.Actor.Source:
// "screen:<user>:<unix nanos>:<action>", the form rules.Actor documents for
// one-at-a-time actions with the kind of action added ("report/<activity
// type>", "fees", "note", "withdraw" or "transfer"). The confirmation
// reference derives from it and the certificate numbers, so it is stable (the
// same user, time, action and certificates give the same reference) and
// unique among actions: two different actions on one certificate at the same
// --now do not share a reference.
func (w Who) Source(op rules.Op) string {
	what := ""
	if o, ok := rules.Value(op); ok {
		what = o.Name()
	}
	return "screen:" + w.User + ":" + strconv.FormatInt(w.Now.UnixNano(), 10) + ":" + what
}

// ErrAlreadyRecorded is returned (wrapped) by Do when the register already
// holds the activity report the action would add, under the same
// confirmation reference: a report of the same type on the same certificate
// by the same user at the same Now (for instance a command run twice with
// the same --now). Nothing is changed.
var ErrAlreadyRecorded = errors.New("the same action at the same time is already recorded")

// Do performs op as w in one transaction on st and returns the engine's
// decision. An accepted decision's changes are committed; a rejected one
// changes nothing. The error is for failures of the store (or an op that is
// not an operation of package rules), never for a rejection: the findings
// say why an action was rejected. After an error nothing is changed either.
func Do(ctx context.Context, st store.Store, w Who, op rules.Op) (rules.Decision, error) {
	given := op
	op, ok := rules.Value(given)
	if !ok {
		return rules.Decision{}, fmt.Errorf("action: %T is not an operation", given)
	}
	certs, toUser := op.CertNumbers(), op.TargetUser()
	if w.Now.IsZero() {
		return rules.Decision{}, errors.New("action: no processing time")
	}
	tx, err := st.Begin(ctx)
	if err != nil {
		return rules.Decision{}, fmt.Errorf("action: %w", err)
	}
	defer tx.Rollback(ctx)

	a, fs, err := actor(ctx, tx, w)
	if err != nil || len(fs) > 0 {
		return rules.Decision{Findings: fs}, err
	}
	state := rules.State{Certs: map[string]*rules.Certificate{}}
	if len(certs) > 0 {
		if state.Certs, err = tx.Certificates(ctx, certs...); err != nil {
			return rules.Decision{}, fmt.Errorf("action: %w", err)
		}
	}
	if toUser != "" {
		if state.ToUser, err = tx.User(ctx, toUser); err != nil {
			return rules.Decision{}, fmt.Errorf("action: %w", err)
		}
	}

	a.Source = w.Source(op)
	d := rules.EvaluateAction(a, op, state)
	if !d.Accepted() {
		return d, nil // the deferred Rollback discards the (read-only) transaction
	}
	if err := tx.Apply(ctx, d.Changes...); err != nil {
		if errors.Is(err, store.ErrExists) {
			return rules.Decision{}, fmt.Errorf("action: %w (confirmation reference %s)", ErrAlreadyRecorded, d.Ref)
		}
		return rules.Decision{}, fmt.Errorf("action: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return rules.Decision{}, fmt.Errorf("action: %w", err)
	}
	return d, nil
}

// Show reads certificate number of kind k (rules.CAS or rules.CoS; "" for
// either) for w: the certificate when w may see it (rules.CheckView), or the
// findings that say why not. A certificate of another sponsor, or of the
// other kind, is refused exactly like one that does not exist (R.CERT.FOUND);
// one a Level 2 user does not own is refused in the same words, under the
// engine's R.CERT.OWNER. The error is for failures of the store.
func Show(ctx context.Context, r store.Reader, w Who, k rules.CertKind, number string) (*rules.Certificate, []rules.Finding, error) {
	a, fs, err := actor(ctx, r, w)
	if err != nil || len(fs) > 0 {
		return nil, fs, err
	}
	certs, err := r.Certificates(ctx, number)
	if err != nil {
		return nil, nil, fmt.Errorf("action: %w", err)
	}
	c, fs := rules.CheckView(a, k, number, rules.State{Certs: certs})
	return c, fs, nil
}

// actor loads who acts: the user w names and the user's sponsor. It returns
// an F.USER finding itself when the user cannot be placed under a licence
// (no such user, or not a user of w.Sponsor); every other check of the actor
// is the engine's (rules.CheckActor).
func actor(ctx context.Context, r store.Reader, w Who) (rules.Actor, []rules.Finding, error) {
	if strings.TrimSpace(w.User) == "" {
		return rules.Actor{}, []rules.Finding{rules.NewFinding(rules.FUser, "", "No user was given: name the SMS user who acts.")}, nil
	}
	u, err := r.User(ctx, w.User)
	if err != nil {
		return rules.Actor{}, nil, fmt.Errorf("action: %w", err)
	}
	licence := w.Sponsor
	switch {
	case licence != "" && (u == nil || u.Sponsor != licence):
		// The engine words it ("User X is not a user of licence Y.") from
		// only what the caller typed, so that the answer is the same whether
		// or not user X or licence Y exists, and whoever holds them.
		fs := rules.CheckActor(rules.Actor{Sponsor: &rules.Sponsor{Licence: licence}, User: &rules.User{ID: w.User}})
		return rules.Actor{}, fs, nil
	case u == nil:
		return rules.Actor{}, []rules.Finding{rules.NewFinding(rules.FUser, "", "User %s is not in the register.", rules.Show(w.User))}, nil
	case licence == "":
		licence = u.Sponsor
	}
	s, err := r.Sponsor(ctx, licence)
	if err != nil {
		return rules.Actor{}, nil, fmt.Errorf("action: %w", err)
	}
	return rules.Actor{Sponsor: s, User: u, Now: w.Now}, nil, nil
}
