package drconfig

import (
	"fmt"
	"github.com/fhir-dr/fhir-dr/azure/regions"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/fhir-dr/fhir-dr/azure/armid"
	"github.com/fhir-dr/fhir-dr/detection"
	"github.com/fhir-dr/fhir-dr/internal/iprange"
	"github.com/fhir-dr/fhir-dr/objectives"
)

// The AKS network profile's service and pod ranges (the SDK defaults we keep);
// node subnets must not overlap them.
var (
	serviceCIDR = netip.MustParsePrefix("10.0.0.0/16")
	podCIDR     = netip.MustParsePrefix("10.244.0.0/16")
)

// key returns the full configuration key of a setting.
func key(path string) string { return Namespace + ":" + path }

// Validate checks the configuration (with defaults applied) and returns every
// problem as Problems, or nil.
func (c *Config) Validate() error {
	var ps problems
	c.validate(&ps)
	if len(ps.list) == 0 {
		return nil
	}
	sortProblems(ps.list)
	return ps.list
}

func (c *Config) validate(ps *problems) {
	c.checkSettings(ps)
	c.validateIdentity(ps)
	c.validateDR(ps)
	c.validateCosmos(ps)
	c.validateCompute(ps)
	c.validateTrafficManager(ps)
	c.validatePaging(ps)
	c.validateAvailability(ps)
	c.validateFHIR(ps)
	// The objectives are only meaningful once every input is valid.
	if c.DR.Enabled && len(ps.list) == 0 {
		o := c.Objectives()
		for _, v := range o.Violations() {
			hint := "lower dr.operatorDecisionTime or the probe timings"
			if c.HasCompute() {
				hint += ", or raise fhir.replicas.standby"
			}
			ps.add(key("dr"), "%s for the %s tier; %s", v, c.DR.Tier, hint)
		}
	}
}

func (c *Config) customerValid() bool {
	return customerPattern.MatchString(c.Customer) && !strings.Contains(c.Customer, "--")
}

func (c *Config) validateIdentity(ps *problems) {
	if customerPattern.MatchString(c.Customer) && strings.Contains(c.Customer, "--") {
		ps.add(key("customer"), "must not contain --, got %q", c.Customer)
	}
	if _, ok := regions.Lookup(c.PrimaryRegion); !ok && c.PrimaryRegion != "" {
		ps.add(key("primaryRegion"), "unknown Azure region %q%s", c.PrimaryRegion, suggestRegion(c.PrimaryRegion))
	}
	for _, k := range slices.Sorted(maps.Keys(c.Tags)) {
		switch {
		case slices.ContainsFunc(ReservedTags, func(r string) bool { return strings.EqualFold(r, k) }):
			ps.add(key("tags."+k), "is set by fhir-dr itself and cannot be overridden")
		case len(k) > 512 || strings.ContainsAny(k, `<>%&\?/`):
			ps.add(key("tags."+k), `tag names are at most 512 characters without any of < > %% & \ ? /`)
		case len(c.Tags[k]) > 256:
			ps.add(key("tags."+k), "tag values are at most 256 characters")
		}
	}
}

func (c *Config) validateDR(ps *problems) {
	dr := c.DR
	c.validateSecondaryRegion(ps)
	c.validateWriteRegion(ps)
	dr.Acknowledge.validate(ps)
	dr.FailoverIntent.validate(ps)
	dr.LastDrill.validate(ps)
	c.validateRetiringRegion(ps)
	c.validatePrimary(ps)
	c.validateEnabledAt(ps)
	if _, err := objectives.ChooseConsistency(dr.RPO.Duration); err != nil {
		ps.add(key("dr.rpo"), "%s", err)
	}
}

func (c *Config) validateSecondaryRegion(ps *problems) {
	dr := c.DR
	primary, primaryKnown := regions.Lookup(c.PrimaryRegion)
	if dr.SecondaryRegion == "" {
		if !dr.Enabled || !primaryKnown {
			return
		}
		if primary.Pair == "" {
			ps.add(key("dr.secondaryRegion"), "is required: %s has no Azure paired region; name the DR region explicitly", c.PrimaryRegion)
		} else {
			ps.add(key("dr.secondaryRegion"), "is required: %s's paired region %s is access-restricted; "+
				"request access for the subscription and set dr.secondaryRegion: %s, or choose another region",
				c.PrimaryRegion, primary.Pair, primary.Pair)
		}
		return
	}
	if _, ok := regions.Lookup(dr.SecondaryRegion); !ok {
		ps.add(key("dr.secondaryRegion"), "unknown Azure region %q%s", dr.SecondaryRegion, suggestRegion(dr.SecondaryRegion))
		return
	}
	if dr.SecondaryRegion == c.PrimaryRegion {
		ps.add(key("dr.secondaryRegion"), "must differ from primaryRegion %s: a replica in the same region survives no regional outage", c.PrimaryRegion)
	}
}

func (c *Config) validateEnabledAt(ps *problems) {
	if d := c.DR.EnabledAt; datePattern.MatchString(d) {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			ps.add(key("dr.enabledAt"), "must be a date, YYYY-MM-DD, got %q", d)
		}
	}
}

func (c *Config) validatePrimary(ps *problems) {
	id := c.Primary.ExistingAccountID
	if id == "" {
		return
	}
	_, name, ok := parseAccountID(id)
	switch {
	case !ok:
		ps.add(key("primary.existingAccountId"), "must be a Cosmos DB account ID, %s, got %q", armid.Format(cosmosAccountType), id)
	case name != c.Cosmos.AccountName:
		ps.add(key("primary.existingAccountId"), "names account %s but cosmos.accountName is %s: leave cosmos.accountName out or make them agree",
			name, c.Cosmos.AccountName)
	}
}

func (c *Config) validateRetiringRegion(ps *problems) {
	r := c.DR.RetiringSecondaryRegion
	switch {
	case r == "" || !c.DR.Enabled:
	case r == c.PrimaryRegion || r == c.DR.SecondaryRegion:
		ps.add(key("dr.retiringSecondaryRegion"), "must be the old secondary region, neither primaryRegion nor secondaryRegion, got %s", r)
	case r == c.DR.WriteRegion:
		ps.add(key("dr.retiringSecondaryRegion"), "%s takes writes: fail back before retiring it", r)
	default:
		if _, ok := regions.Lookup(r); !ok {
			ps.add(key("dr.retiringSecondaryRegion"), "unknown Azure region %q%s", r, suggestRegion(r))
		}
	}
}

func (c *Config) validateWriteRegion(ps *problems) {
	dr := c.DR
	switch {
	case dr.WriteRegion == c.PrimaryRegion:
	case !dr.Enabled:
		ps.add(key("dr.writeRegion"), "is %s, but DR is disabled: fail back to %s (drctl failback) before disabling DR, "+
			"because the write region cannot be removed", dr.WriteRegion, c.PrimaryRegion)
	case dr.WriteRegion != dr.SecondaryRegion:
		ps.add(key("dr.writeRegion"), "must be the primary region %s or the secondary region %s, got %q",
			c.PrimaryRegion, dr.SecondaryRegion, dr.WriteRegion)
	case dr.WriteRegionChange == nil:
		ps.add(key("dr.writeRegionChange"), "required when the write region is not the primary: "+
			"the record drctl failover writes; move the write region with drctl failover, not by editing the stack file")
	}
	dr.WriteRegionChange.validate(ps)
}

// WriteRegionMoved reports whether the write region is not the primary
// region: the account has failed over.
func (c *Config) WriteRegionMoved() bool { return c.DR.WriteRegion != c.PrimaryRegion }

func (c *Config) validateCosmos(ps *problems) {
	cs := c.Cosmos
	if cs.Throughput != 0 && cs.AutoscaleMaxThroughput != 0 {
		ps.add(key("cosmos.throughput"), "set either throughput (manual RU/s) or autoscaleMaxThroughput, not both")
	}
	if r := c.DR.RetiringSecondaryRegion; r != "" && cs.ZoneRedundant.Retiring != nil && *cs.ZoneRedundant.Retiring && !hasZones(r) {
		ps.add(key("cosmos.zoneRedundant.retiring"), "%s has no availability zones", r)
	}
	for i, r := range cs.AllowedIPRanges {
		at := key(fmt.Sprintf("cosmos.allowedIPRanges[%d]", i))
		switch _, fault := iprange.CheckFirewallRule(r); fault {
		case iprange.FirewallNotIPv4:
			ps.add(at, "must be an IPv4 address or CIDR range such as 203.0.113.0/24, got %q", r)
		case iprange.FirewallTooWide:
			ps.add(at, "%s opens the account to a large part of the internet: name the service's egress, /%d or narrower", r, MinAllowedIPRangeBits)
		case iprange.FirewallAzureDatacenters:
			ps.add(at, "0.0.0.0 admits every Azure datacenter, any tenant's: name the service's own egress ranges")
		case iprange.FirewallNotPublic:
			ps.add(at, "%s is not a public address: the account's IP filter sees the public egress address", r)
		}
	}
	if len(cs.AllowedIPRanges) > 0 && c.HasCompute() {
		ps.add(key("cosmos.allowedIPRanges"), "the full tier closes the account's public endpoint (its stamps use private endpoints): "+
			"remove allowedIPRanges, in the same change that moves the stack to the full tier")
	}
	if *cs.ZoneRedundant.Primary && !hasZones(c.PrimaryRegion) && c.PrimaryRegion != "" {
		ps.add(key("cosmos.zoneRedundant.primary"), "%s has no availability zones", c.PrimaryRegion)
	}
	if c.DR.Enabled && *cs.ZoneRedundant.Secondary && !hasZones(c.DR.SecondaryRegion) && c.DR.SecondaryRegion != "" {
		ps.add(key("cosmos.zoneRedundant.secondary"), "%s has no availability zones", c.DR.SecondaryRegion)
	}
}

func (c *Config) validateCompute(ps *problems) {
	k := c.Compute
	seen := map[string]bool{}
	system := false
	for i, p := range k.NodePools {
		at := fmt.Sprintf("compute.nodePools[%d]", i)
		if seen[p.Name] && p.Name != "" {
			ps.add(key(at+".name"), "duplicate node pool name %q", p.Name)
		}
		seen[p.Name] = true
		system = system || p.Mode == "System"
		autoscale := p.MinCount != 0 || p.MaxCount != 0
		switch {
		case autoscale && p.Count != 0:
			ps.add(key(at+".count"), "set either count or minCount/maxCount, not both")
		case autoscale && p.MaxCount == 0:
			ps.add(key(at+".maxCount"), "is required with minCount")
		case autoscale && p.MinCount > p.MaxCount:
			ps.add(key(at+".minCount"), "must not exceed maxCount %d, got %d", p.MaxCount, p.MinCount)
		case autoscale && p.Mode == "System" && p.MinCount < 1:
			ps.add(key(at+".minCount"), "a System pool keeps at least 1 node, got %d", p.MinCount)
		case !autoscale && p.Count == 0:
			ps.add(key(at+".count"), "is required: a node count from 1 to 1000, or minCount/maxCount")
		}
		zones := map[string]bool{}
		for j, z := range p.Zones {
			if zones[z] {
				ps.add(key(fmt.Sprintf("%s.zones[%d]", at, j)), "zone %q is listed twice", z)
			}
			zones[z] = true
		}
	}
	if !system {
		ps.add(key("compute.nodePools"), "need at least one pool with mode System")
	}
	primary := validateNetwork(ps, "compute.network.primary", k.Network.Primary)
	secondary := validateNetwork(ps, "compute.network.secondary", k.Network.Secondary)
	if primary.IsValid() && secondary.IsValid() && primary.Overlaps(secondary) {
		ps.add(key("compute.network.secondary.addressSpace"), "%s overlaps the primary's %s; the stamps must be peerable", secondary, primary)
	}
	api := k.APIServer
	if api.Private && len(api.AuthorizedIPRanges) > 0 {
		ps.add(key("compute.apiServer"), "authorizedIPRanges do not apply to a private API server; set one or the other")
	}
	if c.DR.Enabled && c.DR.Tier == TierFull && !api.Private && len(api.AuthorizedIPRanges) == 0 {
		ps.add(key("compute.apiServer"), "the API server must not be open to the internet: set private: true or authorizedIPRanges")
	}
	var ranges []netip.Prefix
	for i, r := range api.AuthorizedIPRanges {
		p, err := iprange.Parse(r)
		if err != nil {
			ps.add(key(fmt.Sprintf("compute.apiServer.authorizedIPRanges[%d]", i)), "%s", err)
			continue
		}
		ranges = append(ranges, p)
	}
	if _, all := iprange.CoversInternet(ranges); all {
		ps.add(key("compute.apiServer.authorizedIPRanges"), "together these ranges open the API server to the whole internet")
	}
}

// validateNetwork checks one stamp's address plan and returns its address
// space, or the zero prefix if it is invalid.
func validateNetwork(ps *problems, at string, n Network) netip.Prefix {
	space, err := netip.ParsePrefix(n.AddressSpace)
	if err != nil || !space.Addr().Is4() || space.Masked() != space {
		ps.add(key(at+".addressSpace"), "must be an IPv4 CIDR range such as 10.50.0.0/16, got %q", n.AddressSpace)
		space = netip.Prefix{}
	}
	if n.NodeSubnet == "" {
		return space // reported as required
	}
	subnet, err := netip.ParsePrefix(n.NodeSubnet)
	if err != nil || !subnet.Addr().Is4() || subnet.Masked() != subnet {
		ps.add(key(at+".nodeSubnet"), "must be an IPv4 CIDR range such as 10.50.0.0/20, got %q", n.NodeSubnet)
		return space
	}
	before := len(ps.list)
	switch {
	case subnet.Bits() > 24:
		ps.add(key(at+".nodeSubnet"), "must be /24 or larger to hold the nodes, got %s", subnet)
	case space.IsValid() && (subnet.Bits() < space.Bits() || !space.Contains(subnet.Addr())):
		ps.add(key(at+".nodeSubnet"), "%s is not inside the address space %s", subnet, space)
	}
	pe, err := netip.ParsePrefix(n.PrivateEndpointSubnet)
	derived := n.PrivateEndpointSubnet == subnetAfter(n.NodeSubnet, DefaultPrivateEndpointSubnetBits)
	switch {
	case derived && len(ps.list) > before:
		// The default follows a node subnet already reported.
	case n.PrivateEndpointSubnet == "":
		// No default: nothing follows the node subnet.
		ps.add(key(at+".privateEndpointSubnet"), "required: no /%d follows nodeSubnet %s; set a range inside the address space",
			DefaultPrivateEndpointSubnetBits, subnet)
	case err != nil || !pe.Addr().Is4() || pe.Masked() != pe:
		ps.add(key(at+".privateEndpointSubnet"), "must be an IPv4 CIDR range such as 10.50.16.0/24, got %q", n.PrivateEndpointSubnet)
	case pe.Bits() > 28:
		ps.add(key(at+".privateEndpointSubnet"), "must be /28 or larger to hold the private endpoint's addresses, got %s", pe)
	case space.IsValid() && (pe.Bits() < space.Bits() || !space.Contains(pe.Addr())):
		ps.add(key(at+".privateEndpointSubnet"), "%s is not inside the address space %s (the default is the /%d after nodeSubnet)",
			pe, space, DefaultPrivateEndpointSubnetBits)
	case pe.Overlaps(subnet):
		ps.add(key(at+".privateEndpointSubnet"), "%s overlaps nodeSubnet %s", pe, subnet)
	}
	for _, reserved := range []netip.Prefix{serviceCIDR, podCIDR} {
		if space.IsValid() && space.Overlaps(reserved) {
			ps.add(key(at+".addressSpace"), "%s overlaps the cluster's reserved range %s", space, reserved)
		}
	}
	return space
}

func (c *Config) validateTrafficManager(ps *problems) {
	p := c.TrafficManager.Probe
	if p.TimeoutSeconds >= p.IntervalSeconds {
		ps.add(key("trafficManager.probe.timeoutSeconds"), "must be below the probe interval %d s, got %d", p.IntervalSeconds, p.TimeoutSeconds)
	}
}

// validatePaging checks where the alerts page: the on-call action group
// must be one (an ARM ID of an action group, in a subscription), and the
// customer's receivers distinct.
func (c *Config) validatePaging(ps *problems) {
	p := c.DR.Paging
	if id := p.ActionGroupID; id != "" {
		if a, err := armid.ParseType(id, ActionGroupType); err != nil || !armid.IsUUID(a.Subscription) {
			ps.add(key("dr.paging.actionGroupId"), "must be the ARM ID of an action group, %s, got %q", armid.Format(ActionGroupType), id)
		}
	}
	seen := map[string]bool{}
	for i, e := range p.Emails {
		if k := strings.ToLower(e); seen[k] {
			ps.add(key(fmt.Sprintf("dr.paging.emails[%d]", i)), "lists %s twice", e)
		} else {
			seen[k] = true
		}
	}
}

// validateAvailability checks the availability tests: enough distinct
// locations that one location's trouble is not an outage, and no more
// failed locations asked for than there are.
func (c *Config) validateAvailability(ps *problems) {
	a := c.Monitoring.Availability
	seen := map[string]bool{}
	for i, l := range a.Locations {
		if seen[l] {
			ps.add(key(fmt.Sprintf("monitoring.availability.locations[%d]", i)), "lists %s twice", l)
		}
		seen[l] = true
	}
	if n := len(seen); n < detection.MinWebTestLocations {
		ps.add(key("monitoring.availability.locations"), "needs at least %d distinct locations, got %d: with fewer, one location's network trouble looks like an outage",
			detection.MinWebTestLocations, n)
	}
	if a.FailedLocations > len(seen) && len(seen) > 0 {
		ps.add(key("monitoring.availability.failedLocations"), "is %d, more than the %d locations the tests run from: the alert could never fire",
			a.FailedLocations, len(seen))
	}
}

// suggestRegion returns ` (did you mean "x"?)` for the closest known region.
func suggestRegion(name string) string {
	known := map[string]int{}
	for _, n := range regions.Names() {
		known[n] = 0
	}
	s := suggest(name, known)
	if strings.HasPrefix(s, ";") {
		return ""
	}
	return s
}
