package drconfig

import (
	"github.com/fhir-dr/fhir-dr/naming"
	"maps"
	"strconv"

	"github.com/fhir-dr/fhir-dr/azure/armid"
	"github.com/fhir-dr/fhir-dr/detection"
	"github.com/fhir-dr/fhir-dr/objectives"
)

// Tag names fhir-dr stamps on every taggable resource.
const (
	TagCustomer          = "customer"
	TagTicket            = "dr-ticket"
	TagTier              = "dr-tier"
	TagRole              = "dr-role"
	TagBillingMeter      = "billing-meter"
	TagBillingMultiplier = "billing-multiplier"
	TagManagedBy         = "managed-by"
	TagEnabledAt         = "dr-enabled-at"
)

// ReservedTags are the tag names that stack files cannot set.
var ReservedTags = []string{
	TagCustomer, TagTicket, TagTier, TagRole, TagBillingMeter, TagBillingMultiplier, TagManagedBy, TagEnabledAt,
}

// TierLabel is the tier for tags and outputs: "data", "full", or "none" when
// DR is disabled.
func (c *Config) TierLabel() string {
	if !c.DR.Enabled {
		return "none"
	}
	return string(c.DR.Tier)
}

// HasCompute reports whether the stack declares the mirrored compute stamps
// and Traffic Manager (full tier).
func (c *Config) HasCompute() bool { return c.DR.Enabled && c.DR.Tier == TierFull }

// BillingMultiplier is the DR multiplier of the Cosmos DB cost: one read
// region doubles it (azure-dr-facts.md section 1).
func (c *Config) BillingMultiplier() int {
	switch {
	case !c.DR.Enabled:
		return 1
	case c.DR.RetiringSecondaryRegion != "":
		return 3 // a region move keeps the old replica until it completes
	}
	return 2
}

// BillingMeter is the meter the customer's usage is billed under.
func (c *Config) BillingMeter() string {
	if !c.DR.Enabled {
		return "fhir-standard"
	}
	return "fhir-dr-" + string(c.DR.Tier)
}

// Ticket is the ticket for tags: the configured one or "none".
func (c *Config) Ticket() string {
	if c.DR.Ticket == "" {
		return "none"
	}
	return c.DR.Ticket
}

// ResourceTags returns the tags of a resource with the given role: the stack's own
// tags plus the ones fhir-dr stamps, which win.
func (c *Config) ResourceTags(role naming.Role) map[string]string {
	tags := make(map[string]string, len(c.Tags)+len(ReservedTags))
	maps.Copy(tags, c.Tags)
	tags[TagCustomer] = c.Customer
	tags[TagTicket] = c.Ticket()
	tags[TagTier] = c.TierLabel()
	tags[TagRole] = string(role)
	tags[TagBillingMeter] = c.BillingMeter()
	tags[TagBillingMultiplier] = strconv.Itoa(c.BillingMultiplier())
	tags[TagManagedBy] = "fhir-dr"
	if c.DR.Enabled && c.DR.EnabledAt != "" {
		tags[TagEnabledAt] = c.DR.EnabledAt
	}
	return tags
}

// DataTags returns the tags of the customer's data resources: the primary
// resource group and the Cosmos DB account, database and container. They are
// the stack's own tags plus customer, role (primary) and managed-by, and
// deliberately none that depend on the DR state: Azure rejects an account
// update that adds or removes a region together with any other change, tags
// included (azure-dr-facts.md section 3), so enabling, changing or
// disabling DR must change nothing of the account but its locations. The
// DR facts (ticket, tier, billing) are on every DR resource and in the
// stack outputs.
func (c *Config) DataTags() map[string]string {
	tags := make(map[string]string, len(c.Tags)+3)
	maps.Copy(tags, c.Tags)
	tags[TagCustomer] = c.Customer
	tags[TagRole] = string(naming.RolePrimary)
	tags[TagManagedBy] = "fhir-dr"
	return tags
}

// RequiredTags are the tags every DR resource carries (ResourceTags sets
// them; dr-enabled-at only when the stack file gives the date).
var RequiredTags = []string{
	TagCustomer, TagTicket, TagTier, TagRole, TagBillingMeter, TagBillingMultiplier, TagManagedBy,
}

// DataTagNames are the reserved tags DataTags sets.
var DataTagNames = []string{TagCustomer, TagRole, TagManagedBy}

// Consistency is the Cosmos DB consistency that meets the RPO target. It
// does not depend on whether DR is enabled: Azure rejects a location change
// combined with any other account change, so enabling or disabling DR must
// leave the consistency as it is.
func (c *Config) Consistency() objectives.Consistency {
	cons, err := objectives.ChooseConsistency(c.DR.RPO.Duration)
	if err != nil {
		// Validate rejects such a target; fall back to the safe default.
		return objectives.Consistency{Level: objectives.Session}
	}
	return cons
}

// Objectives models the stack's RPO and RTO. Meaningful only when DR is
// enabled. Detection is the stack's own: the paging rules of package
// detection that detect the loss of the primary (Inputs.Signals).
func (c *Config) Objectives() objectives.Objectives {
	in := c.objectiveInputs()
	in.Signals = detection.Signals(c.AlertRules())
	return objectives.Model(in)
}

// objectiveInputs are the model's inputs from the settings.
func (c *Config) objectiveInputs() objectives.Inputs {
	p := c.TrafficManager.Probe
	return objectives.Inputs{
		Full:        c.DR.Tier == TierFull,
		Consistency: c.Consistency(),
		Probe: objectives.Probe{
			IntervalSeconds:   p.IntervalSeconds,
			TimeoutSeconds:    p.TimeoutSeconds,
			ToleratedFailures: *p.ToleratedFailures,
			TTLSeconds:        *c.TrafficManager.TTLSeconds,
		},
		OperatorDecision: c.DR.OperatorDecisionTime.Duration,
		StandbyReplicas:  c.FHIR.Replicas.Standby,
		PrimaryReplicas:  c.FHIR.Replicas.Primary,
	}
}

// DetectionInputs are the settings the stack's alert rules depend on: the
// tier, the modeled RPO (which the replication lag rule guards), the
// Traffic Manager probe and the availability tests.
func (c *Config) DetectionInputs() detection.Inputs {
	in := c.objectiveInputs()
	a := c.Monitoring.Availability
	return detection.Inputs{
		Full:  c.HasCompute(),
		RPO:   objectives.Model(in).RPO,
		Probe: in.Probe,
		Availability: detection.Availability{
			Locations: a.Locations, FrequencySeconds: a.FrequencySeconds, FailedLocations: a.FailedLocations,
		},
	}
}

// AlertRules are the stack's alert rules (detection.Rules); none when DR is
// disabled, which pages no one.
func (c *Config) AlertRules() []detection.Rule {
	if !c.DR.Enabled {
		return nil
	}
	return detection.Rules(c.DetectionInputs())
}

// PrimaryResourceGroupName is the resource group of the customer's data:
// the existing account's group when it is adopted.
func (c *Config) PrimaryResourceGroupName() string {
	if rg, _, ok := parseAccountID(c.Primary.ExistingAccountID); ok {
		return rg
	}
	return naming.PrimaryResourceGroup(c.Customer, c.PrimaryRegion)
}

// Adopted reports whether the customer's primary resources exist already
// and are imported.
func (c *Config) Adopted() bool { return c.Primary.ExistingAccountID != "" }

// AdoptedIDs returns the ARM IDs of the existing primary resources to
// import, keyed "resourceGroup", "account", "database" and "container".
func (c *Config) AdoptedIDs() map[string]string {
	account, err := armid.ParseType(c.Primary.ExistingAccountID, cosmosAccountType)
	if err != nil || !armid.IsUUID(account.Subscription) {
		return nil
	}
	database := account.Child("sqlDatabases", "health")
	return map[string]string{
		"resourceGroup": account.ResourceGroupID(),
		"account":       c.Primary.ExistingAccountID,
		"database":      database.String(),
		"container":     database.Child("containers", "fhirR4").String(),
	}
}

// cosmosAccountType is the ARM type of a Cosmos DB account.
const cosmosAccountType = "Microsoft.DocumentDB/databaseAccounts"

// parseAccountID splits a Cosmos DB account ID into its resource group
// and account name.
func parseAccountID(id string) (rg, name string, ok bool) {
	a, err := armid.ParseType(id, cosmosAccountType)
	if err != nil || !armid.IsUUID(a.Subscription) {
		return "", "", false
	}
	return a.ResourceGroup, a.Name(), true
}

// AccountID is the ARM ID of the customer's Cosmos DB account in the
// subscription.
func (c *Config) AccountID(subscription string) string {
	return armid.ResourceGroup(subscription, c.PrimaryResourceGroupName()) +
		"/providers/" + cosmosAccountType + "/" + c.Cosmos.AccountName
}
