// Package iprange judges the address ranges that may reach a service: the
// AKS API server's authorized ranges. drconfig and the policy pack both
// judge them with it, so a stack file and the engine's inputs are held to
// one rule.
package iprange

import (
	"fmt"
	"net/netip"
	"strings"
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

// Read parses a range exactly as written: no surrounding space, and a bare
// address only when bare is true (as a /32 or /128). IPv4-mapped IPv6
// ranges are read as the IPv4 ranges they are, so that ::ffff:0.0.0.0/96
// counts as 0.0.0.0/0. The result is masked; ok is false for anything else.
func Read(s string, bare bool) (p netip.Prefix, ok bool) {
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

// The whole address space of each family.
var (
	allIPv4 = netip.MustParsePrefix("0.0.0.0/0")
	allIPv6 = netip.MustParsePrefix("::/0")
)

// CoversInternet returns the whole address space (0.0.0.0/0 or ::/0) that
// the union of ranges covers, if any, however they are cut up: 0.0.0.0/1
// and 128.0.0.0/1 together are the whole IPv4 internet as much as
// 0.0.0.0/0 is.
func CoversInternet(ranges []netip.Prefix) (netip.Prefix, bool) {
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

// MinFirewallBits is the widest entry of a Cosmos DB account's IP firewall:
// a /16 (65,536 addresses).
const MinFirewallBits = 16

// FirewallFault is what is wrong with a firewall entry.
type FirewallFault int

// The faults of a firewall entry, in the order they are judged.
const (
	// FirewallOK is a public IPv4 address or range no wider than
	// MinFirewallBits.
	FirewallOK FirewallFault = iota
	// FirewallNotIPv4 is not an IPv4 address or canonical CIDR range: the
	// firewall takes IPv4 only.
	FirewallNotIPv4
	// FirewallAzureDatacenters is 0.0.0.0, Azure's marker for every Azure
	// datacenter, any tenant's services included.
	FirewallAzureDatacenters
	// FirewallTooWide is wider than MinFirewallBits.
	FirewallTooWide
	// FirewallNotPublic is a private, loopback or unspecified range: the
	// firewall sees the public egress address.
	FirewallNotPublic
)

// CheckFirewallRule judges one entry of a Cosmos DB account's IP firewall
// (ipRules[].ipAddressOrRange, cosmos.allowedIPRanges[]).
func CheckFirewallRule(s string) (netip.Prefix, FirewallFault) {
	p, ok := Read(s, true)
	switch {
	case !ok || !p.Addr().Is4() || p.String() != s && p.Addr().String() != s:
		return p, FirewallNotIPv4
	case p.Addr().IsUnspecified() && p.Bits() == 32:
		return p, FirewallAzureDatacenters
	case p.Bits() < MinFirewallBits:
		return p, FirewallTooWide
	case p.Addr().IsUnspecified() || p.Addr().IsPrivate() || p.Addr().IsLoopback():
		return p, FirewallNotPublic
	}
	return p, FirewallOK
}
