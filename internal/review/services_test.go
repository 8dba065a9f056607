package review

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"

	"github.com/fhir-dr/fhir-dr/drconfig"
)

func res(typ, name string, inputs map[string]any) Resource {
	return Resource{URN: "urn:pulumi:c::fhir-dr::" + typ + "::" + name, Type: typ, Name: name, Inputs: resource.NewPropertyMapFromMap(inputs)}
}

func stamp(role, region string) []Resource {
	return []Resource{
		res(clusterType, role+"-aks", map[string]any{"resourceName": "aks-c-fhir-" + role, "location": region}),
		res(publicIPType, role+"-ingress-ip", map[string]any{"publicIpAddressName": "pip-c-fhir-" + role, "location": region,
			"dnsSettings": map[string]any{"domainNameLabel": "c-fhir-" + role}}),
		res(deploymentType, role+"-fhir-deployment", map[string]any{"metadata": map[string]any{"name": "fhir-server", "namespace": "fhir"}}),
	}
}

func profile(label string) Resource {
	return res(profileType, "profile", map[string]any{"profileName": "tm-c-fhir", "dnsConfig": map[string]any{"relativeName": label, "ttl": 60}})
}

func TestServiceHazards(t *testing.T) {
	full := append(append(stamp("primary", "eastus"), stamp("secondary", "westus")...), profile("c-fhir"))
	assert.Empty(t, serviceHazards(full, full), "nothing removed")
	assert.Empty(t, serviceHazards(nil, full), "a new service")

	hint := ackHint(ServiceRemoved)
	dnsHint := dnsLabelAdvice + " " + hint
	tmHint := trafficManagerAdvice + " " + hint
	assert.Equal(t, []Hazard{{ServiceRemoved, full[3].URN, "the standby FHIR service in westus would be deleted: AKS cluster aks-c-fhir-secondary, " +
		"FHIR Deployment fhir/fhir-server, public IP pip-c-fhir-secondary with the DNS name c-fhir-secondary.westus.cloudapp.azure.com. " + dnsLabelNote, dnsHint}},
		serviceHazards(full, append(stamp("primary", "eastus"), profile("c-fhir"))), "the standby alone")

	renamed := append(append(stamp("primary", "eastus"), stamp("secondary", "westus")...), profile("c-fhir2"))
	assert.Equal(t, []Hazard{{ServiceRemoved, full[6].URN, "the Traffic Manager profile tm-c-fhir would be replaced with the name " +
		"c-fhir2.trafficmanager.net, releasing c-fhir.trafficmanager.net, the customer's FHIR endpoint and token audience. " + trafficManagerNote, tmHint}},
		serviceHazards(full, renamed), "a new DNS name releases the old one")

	relabelled := append(stamp("primary", "eastus"), stamp("secondary", "westus")...)
	relabelled[1] = res(publicIPType, "primary-ingress-ip", map[string]any{"publicIpAddressName": "pip-c-fhir-primary", "location": "eastus",
		"dnsSettings": map[string]any{"domainNameLabel": "c-fhir-primary-2"}})
	assert.Equal(t, []Hazard{{ServiceRemoved, full[1].URN, "the public IP pip-c-fhir-primary would give up its DNS name " +
		"c-fhir-primary.eastus.cloudapp.azure.com. " + dnsLabelNote, dnsHint}}, serviceHazards(stamp("primary", "eastus"), relabelled[:3]))

	unknownLabel := stamp("primary", "eastus")
	unknownLabel[1] = res(publicIPType, "primary-ingress-ip", map[string]any{"publicIpAddressName": "pip-c-fhir-primary"})
	unknownLabel[1].Inputs["dnsSettings"] = resource.MakeComputed(resource.NewProperty(""))
	assert.Empty(t, serviceHazards(stamp("primary", "eastus"), unknownLabel), "a label not known before deployment is not judged")

	// The primary's cluster and Deployment without a DNS-labelled IP.
	primary := stamp("primary", "eastus")
	assert.Equal(t, []Hazard{{ServiceRemoved, primary[0].URN, "the customer's live FHIR service in eastus would be deleted: " +
		"AKS cluster aks-c-fhir-primary, FHIR Deployment fhir/fhir-server.", hint}}, serviceHazards(primary, primary[1:2]))
}

func account2(backup map[string]any) Resource {
	return res(accountType, "account", map[string]any{"accountName": "fhir-c", "backupPolicy": backup})
}

func periodic(interval, hours int, redundancy string) map[string]any {
	return map[string]any{"type": "Periodic", "periodicModeProperties": map[string]any{
		"backupIntervalInMinutes": interval, "backupRetentionIntervalInHours": hours, "backupStorageRedundancy": redundancy}}
}

func continuous(tier string) map[string]any {
	b := map[string]any{"type": "Continuous"}
	if tier != "" {
		b["continuousModeProperties"] = map[string]any{"tier": tier}
	}
	return b
}

func workspace(name string, days int) Resource {
	r := res(workspaceType, "workspace", map[string]any{"workspaceName": name, "retentionInDays": days, "location": "eastus",
		"resourceGroupName": "rg-c"})
	return r
}

func TestProtectionHazards(t *testing.T) {
	hint := ackHint(ProtectionReduced)
	lost := "backups older than that are deleted at once and can no longer be restored."
	one := func(base, cur Resource) []Hazard { return protectionHazards([]Resource{base}, []Resource{cur}) }
	h := func(msg string) []Hazard {
		return []Hazard{{ProtectionReduced, "urn:pulumi:c::fhir-dr::" + accountType + "::account", msg, hint}}
	}
	for name, tc := range map[string]struct {
		base, cur map[string]any
		want      []Hazard
	}{
		"unchanged":                 {periodic(240, 8, "Geo"), periodic(240, 8, "Geo"), nil},
		"more protection":           {periodic(240, 8, "Zone"), periodic(60, 720, "Geo"), nil},
		"periodic to continuous":    {periodic(240, 8, "Geo"), continuous("Continuous7Days"), nil},
		"continuous back: Azure's":  {continuous("Continuous30Days"), periodic(240, 8, "Geo"), nil},
		"a longer continuous tier":  {continuous("Continuous7Days"), continuous(""), nil},
		"a shorter continuous tier": {continuous(""), continuous("Continuous7Days"), h("the Cosmos DB account fhir-c would keep backups for 7 days (Continuous7Days) instead of 30 days (Continuous30Days): " + lost)},
		"periodic 30 days to continuous 7": {periodic(240, 720, "Geo"), continuous("Continuous7Days"),
			h("the Cosmos DB account fhir-c would keep backups for 7 days (Continuous7Days) instead of 720 hours (periodic): " + lost)},
		"shorter retention": {periodic(240, 48, "Geo"), periodic(240, 24, "Geo"),
			h("the Cosmos DB account fhir-c would keep backups for 24 hours (periodic) instead of 48 hours (periodic): " + lost)},
		"rarer backups": {periodic(240, 8, "Geo"), periodic(480, 8, "Geo"),
			h("the Cosmos DB account fhir-c would be backed up every 480 minutes instead of 240: a restore may lose up to 480 minutes of writes.")},
		"backups in the region only": {periodic(240, 8, "Geo"), periodic(240, 8, "Local"),
			h("the Cosmos DB account fhir-c would keep its backups Local-redundant instead of Geo-redundant: backups that do not leave the region die with it.")},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, one(account2(tc.base), account2(tc.cur)))
		})
	}
	unknown := account2(nil)
	unknown.Inputs["backupPolicy"] = resource.MakeComputed(resource.NewProperty(""))
	assert.Empty(t, one(account2(periodic(240, 48, "Geo")), unknown), "not known before deployment")
	assert.Empty(t, protectionHazards([]Resource{account2(periodic(240, 48, "Geo"))}, nil), "a deleted account is data-loss's business")

	wsURN := workspace("log-c", 90).URN
	assert.Equal(t, []Hazard{{ProtectionReduced, wsURN, "the Log Analytics workspace log-c would keep the audit logs for 30 days instead of 90: " +
		"older logs, the customer's audit trail, are deleted at once.", hint}}, one(workspace("log-c", 90), workspace("log-c", 30)))
	assert.Empty(t, one(workspace("log-c", 90), workspace("log-c", 365)))
	assert.Equal(t, []Hazard{{ProtectionReduced, wsURN, "the Log Analytics workspace log-c, the customer's audit trail, would be replaced " +
		"(workspaceName): a new, empty workspace, and the old one deleted with its logs.", hint}}, one(workspace("log-c", 90), workspace("log-c2", 90)))
	assert.Equal(t, []Hazard{{ProtectionReduced, wsURN, "the Log Analytics workspace log-c, the customer's audit trail, would be deleted with its logs.", hint}},
		protectionHazards([]Resource{workspace("log-c", 90)}, nil))

	// The availability tests' workspace holds test results, not the audit
	// trail: it goes with the full tier.
	availability := workspace("log-c-fhir-availability", 30)
	availability.URN = "urn:pulumi:c::fhir-dr::fhir-dr:index:CustomerDR$fhir-dr:index:Alerting$" + workspaceType + "::availability-workspace"
	assert.Empty(t, protectionHazards([]Resource{availability}, nil))
}

func TestAcknowledge(t *testing.T) {
	removed := Hazard{ServiceRemoved, "u1", "the profile would be deleted.", trafficManagerAdvice + " " + ackHint(ServiceRemoved)}
	reduced := Hazard{ProtectionReduced, "u2", "less backup.", ackHint(ProtectionReduced)}
	loss := Hazard{DataLoss, "u3", "data loss", "revert"}
	all := []Hazard{removed, reduced, loss}
	ack := func(ticket string, kinds ...string) *drconfig.Config {
		return &drconfig.Config{DR: drconfig.DR{Acknowledge: &drconfig.Acknowledgement{Ticket: ticket, Hazards: kinds}}}
	}

	got, notes := acknowledge(all, &drconfig.Config{}, &drconfig.Config{})
	assert.Equal(t, all, got)
	assert.Empty(t, notes)

	got, notes = acknowledge(all, &drconfig.Config{}, ack("SR-9", "service-removed"))
	assert.Equal(t, []Hazard{reduced, loss}, got)
	assert.Equal(t, []string{"acknowledged under SR-9: the profile would be deleted. " + trafficManagerAdvice}, notes,
		"what to do before the release still holds")

	got, notes = acknowledge(all, ack("SR-8", "service-removed"), ack("SR-9", "service-removed", "protection-reduced"))
	assert.Equal(t, []Hazard{loss}, got, "data loss is never acknowledged")
	assert.Len(t, notes, 2)

	got, notes = acknowledge(all, ack("SR-9", "service-removed"), ack("SR-9", "service-removed"))
	assert.Empty(t, notes)
	assert.Equal(t, "the profile would be deleted. (dr.acknowledge names SR-9, as the base does: "+
		"an acknowledgement covers only the change that adds it)", got[0].Message)
	assert.Equal(t, "If the customer agreed to it, give this change's ticket in dr.acknowledge.", got[0].Advice)

	got, _ = acknowledge(all, nil, nil)
	assert.Equal(t, all, got, "stack files that do not load acknowledge nothing")
}

// The kinds a stack file may acknowledge are the review's.
func TestAcknowledgeableKinds(t *testing.T) {
	assert.Equal(t, []string{string(ServiceRemoved), string(ProtectionReduced)}, drconfig.Acknowledgeable)
}
