/** An organisation with routing rules, shared by the test-route API, CLI and browser tests. */
export const ROUTING_ORG = `
severities:
  levels:
    - { name: critical, urgency: high }
    - { name: warning, aliases: [warn, p3], urgency: low }
    - { name: info, urgency: low }
users:
  - { name: alice, email: alice@example.com, contact_methods: [{ name: work, type: email, address: alice@example.com }] }
channels:
  - { name: ops-hook, type: webhook, address: "https://hooks.example.com/ops" }
escalation_policies:
  - name: backend-oncall
    levels: [{ targets: [{ user: alice }] }]
  - name: sre
    levels: [{ targets: [{ user: alice }] }]
services:
  - name: backend
    escalation_policy: backend-oncall
    slack:
      channels: { critical: "#incidents", warning: "#alerts-warning" }
  - name: Database
    escalation_policy: backend-oncall
routes:
  - name: watchdog
    match: ['alertname="Watchdog"']
    drop: true
  - name: postgres-to-database
    match: ['alertname=~"Postgres.*"']
    service: Database
    escalation_policy: sre
    continue: true
  - name: warnings-to-slack
    match: ['severity="warning"']
    page: false
    channels: [ops-hook]
`;
