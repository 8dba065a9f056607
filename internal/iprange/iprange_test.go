package iprange

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	for _, ok := range []string{"203.0.113.0/24", "10.0.0.0/8", "198.51.100.7/32", "2001:db8::/32"} {
		_, err := Parse(ok)
		assert.NoError(t, err, ok)
	}
	for bad, want := range map[string]string{
		"0.0.0.0/0":      "0.0.0.0/0 opens the API server to a large part of the internet: list the operators' egress ranges, /8 or narrower",
		"0.0.0.0/1":      "0.0.0.0/1 opens the API server to a large part of the internet: list the operators' egress ranges, /8 or narrower",
		"::/0":           "::/0 opens the API server to a large part of the internet: list the operators' egress ranges, /32 or narrower",
		"2000::/3":       "2000::/3 opens the API server to a large part of the internet: list the operators' egress ranges, /32 or narrower",
		"0.0.0.0/0 ":     `must be a CIDR range such as 203.0.113.0/24, got "0.0.0.0/0 "`,
		"203.0.113.7":    `must be a CIDR range such as 203.0.113.0/24, got "203.0.113.7"`,
		"203.0.113.7/24": "203.0.113.7/24 has host bits set; write 203.0.113.0/24",
	} {
		_, err := Parse(bad)
		assert.EqualError(t, err, want, bad)
	}
}

func TestCoversInternetIPv4(t *testing.T) {
	prefixes := func(ss ...string) []netip.Prefix {
		var out []netip.Prefix
		for _, s := range ss {
			p, err := netip.ParsePrefix(s)
			require.NoError(t, err)
			out = append(out, p)
		}
		return out
	}
	assert.True(t, coversAny(prefixes("0.0.0.0/0")))
	assert.True(t, coversAny(prefixes("128.0.0.0/1", "0.0.0.0/1")), "in any order")
	assert.True(t, coversAny(prefixes("0.0.0.0/2", "64.0.0.0/2", "0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2")), "overlapping")
	assert.False(t, coversAny(prefixes("0.0.0.0/1", "128.0.0.0/2", "224.0.0.0/3")), "192.0.0.0/3 is missing")
	assert.False(t, coversAny(prefixes("0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4", "240.0.0.0/5")), "the top is missing")
	all, ok := CoversInternet(prefixes("::/0"))
	assert.True(t, ok)
	assert.Equal(t, "::/0", all.String(), "the IPv6 internet, not the IPv4 one")
	assert.False(t, coversAny(nil))
}

func coversAny(ranges []netip.Prefix) bool {
	_, ok := CoversInternet(ranges)
	return ok
}

func TestCheckFirewallRule(t *testing.T) {
	for s, want := range map[string]FirewallFault{
		"203.0.113.7": FirewallOK, "203.0.113.0/24": FirewallOK, "198.51.0.0/16": FirewallOK, "203.0.113.7/32": FirewallOK,
		"0.0.0.0":   FirewallAzureDatacenters,
		"0.0.0.0/0": FirewallTooWide, "100.64.0.0/10": FirewallTooWide,
		"0.0.0.0/16": FirewallNotPublic, "10.1.0.0/16": FirewallNotPublic, "127.0.0.1": FirewallNotPublic,
		"198.51.100.1/24": FirewallNotIPv4, "::1": FirewallNotIPv4, "a.b": FirewallNotIPv4, " 203.0.113.7": FirewallNotIPv4,
		"::ffff:203.0.113.7": FirewallNotIPv4,
	} {
		_, got := CheckFirewallRule(s)
		assert.Equal(t, want, got, s)
	}
}
