package iprange

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCoversInternet(t *testing.T) {
	for _, tc := range []struct {
		ranges []string
		want   string // "" when the union is not a whole family
	}{
		{[]string{"0.0.0.0/0"}, "0.0.0.0/0"},
		{[]string{"::/0"}, "::/0"},
		{[]string{"0.0.0.0/1", "128.0.0.0/1"}, "0.0.0.0/0"},
		{[]string{"::/1", "8000::/1"}, "::/0"},
		{[]string{"::ffff:0.0.0.0/96"}, "0.0.0.0/0"},
		{[]string{"0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4", "240.0.0.0/5", "248.0.0.0/5"}, "0.0.0.0/0"},
		// Not canonical, but the same ranges once masked.
		{[]string{"1.2.3.4/1", "200.0.0.1/1"}, "0.0.0.0/0"},
		{[]string{"0.0.0.0/1"}, ""},
		{[]string{"0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4"}, ""},
		{[]string{"0.0.0.0/1", "8000::/1"}, ""},
		{[]string{"203.0.113.0/24", "198.51.100.0/24"}, ""},
		{[]string{"::/1"}, ""},
		{nil, ""},
	} {
		var ps []netip.Prefix
		for _, s := range tc.ranges {
			p, ok := Read(s, false)
			assert.True(t, ok, s)
			ps = append(ps, p)
		}
		all, ok := CoversInternet(ps)
		if tc.want == "" {
			assert.False(t, ok, "%v covers %s", tc.ranges, all)
			continue
		}
		assert.True(t, ok, "%v", tc.ranges)
		assert.Equal(t, tc.want, all.String(), "%v", tc.ranges)
	}
}

func TestRead(t *testing.T) {
	for s, want := range map[string]string{
		"203.0.113.0/24": "203.0.113.0/24",
		"203.0.113.7/24": "203.0.113.0/24",
		"2001:db8::/32":  "2001:db8::/32",
		"0.0.0.0/0 ":     "",
		" 0.0.0.0/0":     "",
		"*":              "",
		"10.0.0.0/33":    "",
		"":               "",
		"203.0.113.7":    "", // a bare address only where it is allowed
	} {
		p, ok := Read(s, false)
		if want == "" {
			assert.False(t, ok, "%q parsed as %s", s, p)
			continue
		}
		assert.Equal(t, want, p.String(), s)
	}
	p, ok := Read("203.0.113.7", true)
	assert.True(t, ok)
	assert.Equal(t, "203.0.113.7/32", p.String())
	_, ok = Read("fe80::1%eth0", true)
	assert.False(t, ok)
}
