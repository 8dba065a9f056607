package main

import (
	"time"

	"github.com/spf13/cobra"
)

// newFailbackCmd is drctl failback.
func newFailbackCmd() *cobra.Command {
	var o failoverOptions
	cmd := &cobra.Command{
		Use:   "failback <customer> --ticket <id>",
		Short: "move a customer's Cosmos DB writes back to the primary region and record it",
		Long: `drctl failback moves a customer's Cosmos DB writes back to the primary region after a failover, through
Azure Resource Manager (no release), and records it in the stack file. After a forced failover took the
primary offline, --online first brings it back online. Like failover, it reads the account first and
plans from what Azure reports; re-run the same command to finish an interrupted one.

` + retryHelp() + "\n" + interruptHelp,
		Example: `  drctl failback contoso --ticket INC-42 --subscription <id> --dry-run
  drctl failback contoso --ticket INC-42 --subscription <id> --online`,
		Args:              oneCustomer,
		Annotations:       map[string]string{exitAnnotation: failoverExit},
		ValidArgsFunction: completeCustomers(1),
		RunE: action(func(cmd *cobra.Command, args []string) error {
			return runFailover(cmd, "failback", args[0], &o)
		}),
	}
	addFailoverFlags(cmd, &o)
	cmd.Flags().BoolVar(&o.online, "online", false, "first bring the primary region online (after a forced failover took it offline)")
	addARMFlags(cmd, &o.arm, 10*time.Minute)
	return cmd
}
