package drconfig

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/fhir-dr/fhir-dr/objectives"
)

var (
	customerPattern    = regexp.MustCompile(`^[a-z][a-z0-9-]{1,28}[a-z0-9]$`)
	ticketPattern      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._#/-]{1,63}$`)
	accountNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,42}[a-z0-9]$`)
	dnsLabelPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$`)
	k8sVersionPattern  = regexp.MustCompile(`^[1-9][0-9]*\.[0-9]+(\.[0-9]+)?$`)
	poolNamePattern    = regexp.MustCompile(`^[a-z][a-z0-9]{0,11}$`)
	vmSizePattern      = regexp.MustCompile(`^Standard_[A-Za-z0-9_]+$`)
	uuidPattern        = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// The AKS network profile's service and pod ranges (the SDK defaults we keep);
// node subnets must not overlap them.
var (
	serviceCIDR = netip.MustParsePrefix("10.0.0.0/16")
	podCIDR     = netip.MustParsePrefix("10.244.0.0/16")
)

// MaxUserTags leaves room under Azure's 50 tags per resource for the tags
// fhir-dr stamps itself.
const MaxUserTags = 40

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
	return ps.list
}

func (c *Config) validate(ps *problems) {
	c.validateIdentity(ps)
	c.validateDR(ps)
	c.validateCosmos(ps)
	c.validateCompute(ps)
	c.validateTrafficManager(ps)
	c.validateFHIR(ps)
	if r := c.Monitoring.RetentionDays; r < 30 || r > 730 {
		ps.add(key("monitoring.retentionDays"), "must be from 30 to 730 days, got %d", r)
	}
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
	switch {
	case c.Customer == "":
		ps.add(key("customer"), "required: the customer's DNS-safe id, e.g. contoso")
	case !c.customerValid():
		ps.add(key("customer"), "must be 3-30 lowercase letters, digits and single hyphens, starting with a letter, got %q", c.Customer)
	}
	if c.PrimaryRegion == "" {
		ps.add(key("primaryRegion"), "required: the Azure region the customer runs in, e.g. eastus")
	} else if _, ok := LookupRegion(c.PrimaryRegion); !ok {
		ps.add(key("primaryRegion"), "unknown Azure region %q%s", c.PrimaryRegion, suggestRegion(c.PrimaryRegion))
	}
	if n := len(c.Tags); n > MaxUserTags {
		ps.add(key("tags"), "at most %d tags, got %d", MaxUserTags, n)
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
	switch dr.Tier {
	case TierData, TierFull:
	case "":
		if dr.Enabled {
			ps.add(key("dr.tier"), `required when DR is enabled: "data" (Cosmos DB replica only) or "full" (replica, mirrored compute and Traffic Manager)`)
		}
	default:
		ps.add(key("dr.tier"), `must be "data" or "full", got %q`, dr.Tier)
	}
	switch {
	case dr.Ticket == "" && dr.Enabled:
		ps.add(key("dr.ticket"), "required when DR is enabled: the support ticket that asked for it")
	case dr.Ticket != "" && !ticketPattern.MatchString(dr.Ticket):
		ps.add(key("dr.ticket"), "must be 2-64 letters, digits and . _ # / -, got %q", dr.Ticket)
	}
	c.validateSecondaryRegion(ps)
	c.validateWriteRegion(ps)
	dr.Acknowledge.validate(ps)
	c.validateRetiringRegion(ps)
	c.validatePrimary(ps)
	c.validateEnabledAt(ps)
	if _, err := objectives.ChooseConsistency(dr.RPO.Duration); err != nil {
		ps.add(key("dr.rpo"), "%s", err)
	}
	if d := dr.OperatorDecisionTime.Duration; d < 0 {
		ps.add(key("dr.operatorDecisionTime"), "must not be negative, got %s", d)
	}
}

func (c *Config) validateSecondaryRegion(ps *problems) {
	dr := c.DR
	primary, primaryKnown := LookupRegion(c.PrimaryRegion)
	if dr.SecondaryRegion == "" {
		if !dr.Enabled || !primaryKnown {
			return
		}
		if primary.Pair == "" {
			ps.add(key("dr.secondaryRegion"), "required: %s has no Azure paired region; name the DR region explicitly", c.PrimaryRegion)
		} else {
			ps.add(key("dr.secondaryRegion"), "required: %s's paired region %s is access-restricted; "+
				"request access for the subscription and set dr.secondaryRegion: %s, or choose another region",
				c.PrimaryRegion, primary.Pair, primary.Pair)
		}
		return
	}
	if _, ok := LookupRegion(dr.SecondaryRegion); !ok {
		ps.add(key("dr.secondaryRegion"), "unknown Azure region %q%s", dr.SecondaryRegion, suggestRegion(dr.SecondaryRegion))
		return
	}
	if dr.SecondaryRegion == c.PrimaryRegion {
		ps.add(key("dr.secondaryRegion"), "must differ from primaryRegion %s: a replica in the same region survives no regional outage", c.PrimaryRegion)
	}
}

func (c *Config) validateEnabledAt(ps *problems) {
	if d := c.DR.EnabledAt; d != "" {
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
		ps.add(key("primary.existingAccountId"), "must be a Cosmos DB account ID, "+
			"/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.DocumentDB/databaseAccounts/<name>, got %q", id)
	case name != c.Cosmos.AccountName:
		ps.add(key("primary.existingAccountId"), "names account %s but cosmos.accountName is %s: leave cosmos.accountName out or make them agree",
			name, c.Cosmos.AccountName)
	}
}

func (c *Config) validateRetiringRegion(ps *problems) {
	r := c.DR.RetiringSecondaryRegion
	switch {
	case r == "":
	case !c.DR.Enabled:
		ps.add(key("dr.retiringSecondaryRegion"), "only applies while DR is enabled")
	case r == c.PrimaryRegion || r == c.DR.SecondaryRegion:
		ps.add(key("dr.retiringSecondaryRegion"), "must be the old secondary region, neither primaryRegion nor secondaryRegion, got %s", r)
	case r == c.DR.WriteRegion:
		ps.add(key("dr.retiringSecondaryRegion"), "%s takes writes: fail back before retiring it", r)
	default:
		if _, ok := LookupRegion(r); !ok {
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
	if !accountNamePattern.MatchString(cs.AccountName) && !(c.derivedNames.account && !c.customerValid()) {
		ps.add(key("cosmos.accountName"), "must be 3-44 lowercase letters, digits and hyphens, got %q", cs.AccountName)
	}
	switch {
	case cs.Throughput != 0 && cs.AutoscaleMaxThroughput != 0:
		ps.add(key("cosmos.throughput"), "set either throughput (manual RU/s) or autoscaleMaxThroughput, not both")
	case cs.Throughput != 0 && (cs.Throughput < 400 || cs.Throughput > 1_000_000 || cs.Throughput%100 != 0):
		ps.add(key("cosmos.throughput"), "must be 400-1000000 RU/s in steps of 100, got %d", cs.Throughput)
	case cs.AutoscaleMaxThroughput != 0 && (cs.AutoscaleMaxThroughput < 1000 || cs.AutoscaleMaxThroughput > 1_000_000 || cs.AutoscaleMaxThroughput%1000 != 0):
		ps.add(key("cosmos.autoscaleMaxThroughput"), "must be 1000-1000000 RU/s in steps of 1000, got %d", cs.AutoscaleMaxThroughput)
	}
	if *cs.ZoneRedundant.Primary && !hasZones(c.PrimaryRegion) && c.PrimaryRegion != "" {
		ps.add(key("cosmos.zoneRedundant.primary"), "%s has no availability zones", c.PrimaryRegion)
	}
	if c.DR.Enabled && *cs.ZoneRedundant.Secondary && !hasZones(c.DR.SecondaryRegion) && c.DR.SecondaryRegion != "" {
		ps.add(key("cosmos.zoneRedundant.secondary"), "%s has no availability zones", c.DR.SecondaryRegion)
	}
	b := cs.Backup
	switch b.Type {
	case "Periodic":
		if b.IntervalMinutes < 60 || b.IntervalMinutes > 1440 {
			ps.add(key("cosmos.backup.intervalMinutes"), "must be from 60 to 1440, got %d", b.IntervalMinutes)
		}
		if b.RetentionHours < 8 || b.RetentionHours > 720 {
			ps.add(key("cosmos.backup.retentionHours"), "must be from 8 to 720, got %d", b.RetentionHours)
		}
		switch b.StorageRedundancy {
		case "Geo":
		case "Zone", "Local":
			ps.add(key("cosmos.backup.storageRedundancy"), "must be Geo: %s-redundant backups are lost with the region", b.StorageRedundancy)
		default:
			ps.add(key("cosmos.backup.storageRedundancy"), "must be Geo, got %q", b.StorageRedundancy)
		}
		if b.Tier != "" {
			ps.add(key("cosmos.backup.tier"), "applies only to Continuous backups")
		}
	case "Continuous":
		if b.Tier != "Continuous7Days" && b.Tier != "Continuous30Days" {
			ps.add(key("cosmos.backup.tier"), "must be Continuous7Days or Continuous30Days, got %q", b.Tier)
		}
		if b.IntervalMinutes != 0 || b.RetentionHours != 0 || b.StorageRedundancy != "" {
			ps.add(key("cosmos.backup"), "intervalMinutes, retentionHours and storageRedundancy apply only to Periodic backups")
		}
	default:
		ps.add(key("cosmos.backup.type"), "must be Periodic or Continuous, got %q", b.Type)
	}
}

func (c *Config) validateCompute(ps *problems) {
	k := c.Compute
	if !k8sVersionPattern.MatchString(k.KubernetesVersion) {
		ps.add(key("compute.kubernetesVersion"), "must be a version such as 1.33 or 1.33.2, got %q", k.KubernetesVersion)
	}
	if !slices.Contains([]string{"Free", "Standard", "Premium"}, k.SkuTier) {
		ps.add(key("compute.skuTier"), "must be Free, Standard or Premium, got %q", k.SkuTier)
	}
	seen := map[string]bool{}
	system := false
	for i, p := range k.NodePools {
		at := fmt.Sprintf("compute.nodePools[%d]", i)
		if !poolNamePattern.MatchString(p.Name) {
			ps.add(key(at+".name"), "must be 1-12 lowercase letters and digits starting with a letter, got %q", p.Name)
		} else if seen[p.Name] {
			ps.add(key(at+".name"), "duplicate node pool name %q", p.Name)
		}
		seen[p.Name] = true
		switch p.Mode {
		case "System":
			system = true
		case "User":
		default:
			ps.add(key(at+".mode"), "must be System or User, got %q", p.Mode)
		}
		if !vmSizePattern.MatchString(p.VMSize) {
			ps.add(key(at+".vmSize"), "must be an Azure VM size such as Standard_D4ds_v5, got %q", p.VMSize)
		}
		minNodes := 0
		if p.Mode == "System" {
			minNodes = 1
		}
		autoscale := p.MinCount != 0 || p.MaxCount != 0
		switch {
		case autoscale && p.Count != 0:
			ps.add(key(at+".count"), "set either count or minCount/maxCount, not both")
		case autoscale && (p.MinCount < minNodes || p.MaxCount > 1000 || p.MinCount > p.MaxCount):
			ps.add(key(at+".minCount"), "need %d <= minCount <= maxCount <= 1000, got %d and %d", minNodes, p.MinCount, p.MaxCount)
		case !autoscale && (p.Count < max(minNodes, 1) || p.Count > 1000):
			ps.add(key(at+".count"), "must be from %d to 1000 (or set minCount/maxCount), got %d", max(minNodes, 1), p.Count)
		}
		zones := map[string]bool{}
		for j, z := range p.Zones {
			if z != "1" && z != "2" && z != "3" || zones[z] {
				ps.add(key(fmt.Sprintf("%s.zones[%d]", at, j)), `zones are distinct values of "1", "2", "3", got %q`, z)
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
	for i, r := range api.AuthorizedIPRanges {
		p, err := netip.ParsePrefix(r)
		switch {
		case err != nil:
			ps.add(key(fmt.Sprintf("compute.apiServer.authorizedIPRanges[%d]", i)), "must be a CIDR range, got %q", r)
		case p.Bits() == 0:
			ps.add(key(fmt.Sprintf("compute.apiServer.authorizedIPRanges[%d]", i)), "%s opens the API server to the internet", r)
		}
	}
	for i, id := range k.AdminGroupObjectIDs {
		if !uuidPattern.MatchString(id) {
			ps.add(key(fmt.Sprintf("compute.adminGroupObjectIDs[%d]", i)), "must be an Entra ID object id (a UUID), got %q", id)
		}
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
	subnet, err := netip.ParsePrefix(n.NodeSubnet)
	if err != nil || !subnet.Addr().Is4() || subnet.Masked() != subnet {
		ps.add(key(at+".nodeSubnet"), "must be an IPv4 CIDR range such as 10.50.0.0/20, got %q", n.NodeSubnet)
		return space
	}
	switch {
	case subnet.Bits() > 24:
		ps.add(key(at+".nodeSubnet"), "must be /24 or larger to hold the nodes, got %s", subnet)
	case space.IsValid() && (subnet.Bits() < space.Bits() || !space.Contains(subnet.Addr())):
		ps.add(key(at+".nodeSubnet"), "%s is not inside the address space %s", subnet, space)
	}
	for _, reserved := range []netip.Prefix{serviceCIDR, podCIDR} {
		if space.IsValid() && space.Overlaps(reserved) {
			ps.add(key(at+".addressSpace"), "%s overlaps the cluster's reserved range %s", space, reserved)
		}
	}
	return space
}

func (c *Config) validateTrafficManager(ps *problems) {
	tm := c.TrafficManager
	if !dnsLabelPattern.MatchString(tm.DNSName) && !(c.derivedNames.dns && !c.customerValid()) {
		ps.add(key("trafficManager.dnsName"), "must be a DNS label of lowercase letters, digits and hyphens, got %q", tm.DNSName)
	}
	p := tm.Probe
	switch p.Protocol {
	case "HTTP", "HTTPS":
		if !strings.HasPrefix(p.Path, "/") {
			ps.add(key("trafficManager.probe.path"), "must start with /, got %q", p.Path)
		}
	case "TCP":
		if p.Path != "" {
			ps.add(key("trafficManager.probe.path"), "TCP probes have no path")
		}
	default:
		ps.add(key("trafficManager.probe.protocol"), "must be HTTP, HTTPS or TCP, got %q", p.Protocol)
	}
	if p.Port < 1 || p.Port > 65535 {
		ps.add(key("trafficManager.probe.port"), "must be from 1 to 65535, got %d", p.Port)
	}
	if p.IntervalSeconds != 10 && p.IntervalSeconds != 30 {
		ps.add(key("trafficManager.probe.intervalSeconds"), "must be 30, or 10 for fast probing, got %d", p.IntervalSeconds)
	}
	switch {
	case p.TimeoutSeconds >= p.IntervalSeconds:
		ps.add(key("trafficManager.probe.timeoutSeconds"), "must be below the probe interval %d s, got %d", p.IntervalSeconds, p.TimeoutSeconds)
	case p.TimeoutSeconds < 5 || p.TimeoutSeconds > 10:
		ps.add(key("trafficManager.probe.timeoutSeconds"), "must be from 5 to 10, got %d", p.TimeoutSeconds)
	}
	if f := *p.ToleratedFailures; f < 0 || f > 9 {
		ps.add(key("trafficManager.probe.toleratedFailures"), "must be from 0 to 9, got %d", f)
	}
	if ttl := *tm.TTLSeconds; ttl < 0 {
		ps.add(key("trafficManager.ttlSeconds"), "must be from 0 to 2147483647, got %d", ttl)
	}
}

// suggestRegion returns ` (did you mean "x"?)` for the closest known region.
func suggestRegion(name string) string {
	known := make(map[string]int, len(regions))
	for n := range regions {
		known[n] = 0
	}
	s := suggest(name, known)
	if strings.HasPrefix(s, ";") {
		return ""
	}
	return s
}
