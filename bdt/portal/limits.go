package portal

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxAddresses bounds how many client addresses the sign-in rate limit
// remembers; past it, the addresses whose buckets are full again (idle
// long enough to have every attempt back) are forgotten first.
const maxAddresses = 10000

// addressLimits is a token bucket per client address, on the server's
// clock.
type addressLimits struct {
	limit rate.Limit
	burst int

	mu  sync.Mutex
	lim map[string]*rate.Limiter
}

func newAddressLimits(limit rate.Limit, burst int) *addressLimits {
	return &addressLimits{limit: limit, burst: burst, lim: map[string]*rate.Limiter{}}
}

// allow reports whether address may make one more attempt at now, and
// takes it.
func (a *addressLimits) allow(address string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.lim[address]
	if l == nil {
		if len(a.lim) >= maxAddresses {
			a.forgetIdle(now)
		}
		l = rate.NewLimiter(a.limit, a.burst)
		a.lim[address] = l
	}
	return l.AllowN(now, 1)
}

// forgetIdle drops the addresses whose buckets are full at now; if none
// is, it drops them all (a flood of addresses: each starts afresh, and
// each account's lockout still holds).
func (a *addressLimits) forgetIdle(now time.Time) {
	for k, l := range a.lim {
		if l.TokensAt(now) >= float64(a.burst) {
			delete(a.lim, k)
		}
	}
	if len(a.lim) >= maxAddresses {
		clear(a.lim)
	}
}
