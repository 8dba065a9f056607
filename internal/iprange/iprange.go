// Package iprange judges the address ranges that may reach a service: the
// AKS API server's authorized ranges. drconfig and the policy pack both
// judge them with it, so a stack file and the engine's inputs are held to
// one rule.
package iprange

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
)

// Narrowest widths a single range may have: an IPv4 /8 is 16 million
// addresses, already more than any customer's egress; anything wider is a
// slice of the internet.
const (
	MinBitsIPv4 = 8
	MinBitsIPv6 = 32
)

// Parse reads one authorized range: a CIDR prefix in canonical form (no
// host bits, no spaces) no wider than the minimum widths.
func Parse(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("must be a CIDR range such as 203.0.113.0/24, got %q", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%s has host bits set; write %s", s, p.Masked())
	}
	minBits := MinBitsIPv4
	if p.Addr().Is6() {
		minBits = MinBitsIPv6
	}
	if p.Bits() < minBits {
		return netip.Prefix{}, fmt.Errorf("%s opens the API server to a large part of the internet: "+
			"list the operators' egress ranges, /%d or narrower", s, minBits)
	}
	return p, nil
}

// CoversIPv4Internet reports whether the ranges together hold every IPv4
// address, however they are cut up.
func CoversIPv4Internet(ranges []netip.Prefix) bool {
	type span struct{ lo, hi uint64 }
	var spans []span
	for _, p := range ranges {
		if !p.Addr().Is4() {
			continue
		}
		b := p.Masked().Addr().As4()
		lo := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
		spans = append(spans, span{lo, lo + 1<<(32-p.Bits()) - 1})
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	next := uint64(0) // the lowest address not yet covered
	for _, s := range spans {
		if s.lo > next {
			return false
		}
		next = max(next, s.hi+1)
	}
	return next > 0xFFFFFFFF
}
