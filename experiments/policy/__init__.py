"""What policy teams do: funding-cycle explorers, scenario discovery, the policy brief."""
