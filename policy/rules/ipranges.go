package rules

import (
	"net/netip"
	"strings"
)

// The whole address space of each family.
var (
	allIPv4 = netip.MustParsePrefix("0.0.0.0/0")
	allIPv6 = netip.MustParsePrefix("::/0")
)

// parseRange parses a CIDR range exactly as written: no surrounding space,
// and a bare address only when bare is true (as a /32 or /128). IPv4-mapped
// IPv6 ranges are read as the IPv4 ranges they are, so that
// ::ffff:0.0.0.0/96 counts as 0.0.0.0/0.
func parseRange(s string, bare bool) (netip.Prefix, bool) {
	var p netip.Prefix
	switch {
	case strings.Contains(s, "/"):
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return netip.Prefix{}, false
		}
	case bare:
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, false
		}
		p = netip.PrefixFrom(a, a.BitLen())
	default:
		return netip.Prefix{}, false
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), true
}

// coversAll returns the whole address space (0.0.0.0/0 or ::/0) that the
// union of ranges covers, if any: 0.0.0.0/1 and 128.0.0.0/1 together are
// the whole IPv4 internet as much as 0.0.0.0/0 is.
func coversAll(ranges []netip.Prefix) (netip.Prefix, bool) {
	for _, all := range []netip.Prefix{allIPv4, allIPv6} {
		if covered(all, ranges) {
			return all, true
		}
	}
	return netip.Prefix{}, false
}

// covered reports whether the union of ranges contains every address of p:
// one range contains p, or both halves of p are covered. It only splits
// where a range lies inside p, so it takes at most a few steps per range
// and bit.
func covered(p netip.Prefix, ranges []netip.Prefix) bool {
	inside := false
	for _, q := range ranges {
		if q.Addr().BitLen() != p.Addr().BitLen() {
			continue
		}
		if q.Bits() <= p.Bits() && q.Contains(p.Addr()) {
			return true
		}
		if q.Bits() > p.Bits() && p.Contains(q.Addr()) {
			inside = true
		}
	}
	if !inside {
		return false
	}
	low, high := halves(p)
	return covered(low, ranges) && covered(high, ranges)
}

// halves splits p (shorter than its family's length) into its two halves.
func halves(p netip.Prefix) (netip.Prefix, netip.Prefix) {
	bits := p.Bits() + 1
	b := p.Addr().As16()
	offset := 0
	if p.Addr().Is4() {
		offset = 96
	}
	i := offset + p.Bits()
	b[i/8] |= 0x80 >> (i % 8)
	high := netip.AddrFrom16(b)
	if p.Addr().Is4() {
		high = high.Unmap()
	}
	return netip.PrefixFrom(p.Addr(), bits), netip.PrefixFrom(high, bits)
}
