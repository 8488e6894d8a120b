package rules

import (
	"math"
	"testing"
)

func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Money
		ok   bool
	}{
		{"1234", 123400, true},
		{"1234.99", 123499, true},
		{"0", 0, true},
		{"0.50", 50, true},
		{" 9500.00 ", 950000, true},
		{"999999999.99", 99999999999, true},
		{"", 0, false},
		{"-100", 0, false},
		{"-0.01", 0, false},
		{"12.5", 0, false},
		{"12.505", 0, false},
		{"12.", 0, false},
		{".50", 0, false},
		{"09500", 0, false},
		{"£9500", 0, false},
		{"9,500", 0, false},
		{"1e3", 0, false},
		{"+100", 0, false},
		{"1000000000", 0, false},
		{"１２", 0, false}, // full-width digits
	} {
		got, err := ParseMoney(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestMoneyString(t *testing.T) {
	for m, want := range map[Money]string{
		0: "0.00", 5: "0.05", 50: "0.50", 123400: "1234.00", 123499: "1234.99",
		-305: "-3.05", math.MinInt64: "-92233720368547758.08", math.MaxInt64: "92233720368547758.07",
	} {
		if got := m.String(); got != want {
			t.Errorf("Money(%d).String() = %q, want %q", int64(m), got, want)
		}
	}
}

// FuzzParseMoney checks that every accepted amount is not negative and
// that its canonical form parses back to it.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"1234", "1234.99", "0.50", "-1", "12.5", "£1", "999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney(s)
		if err != nil {
			return
		}
		if m < 0 {
			t.Fatalf("ParseMoney(%q) = %d, negative", s, m)
		}
		back, err := ParseMoney(m.String())
		if err != nil || back != m {
			t.Fatalf("ParseMoney(%q) = %s, which parses back as %d, %v", s, m, back, err)
		}
	})
}
