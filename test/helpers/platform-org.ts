/**
 * A small organisation with schedules, for schedule tests. The harness clock starts on Sunday
 * 2026-03-08 08:00 UTC: the third week of the weekly rotation that began Monday 2026-02-16, so
 *   platform-primary  [alice, charlie, bob, diana] -> bob until Monday 2026-03-09 00:00, then diana;
 *   platform-shadow   [charlie, diana, alice, bob] -> alice, then bob;
 *   office-hours      diana on weekdays 09:00-17:00 UTC only -> nobody on a Sunday morning.
 * The policy pages the primary on call, then office hours, then the shadow, 5 minutes apart.
 */
export const PLATFORM_KEY = 'platform0events0v200000000000000';

const person = (name: string) => `
  - name: ${name}
    email: ${name}@example.com
    contact_methods:
      - name: email
        type: email
        address: ${name}@example.com`;

export const PLATFORM_YAML = `
users:${['alice', 'bob', 'charlie', 'diana', 'erin'].map(person).join('')}

teams:
  - name: platform
    members:
      - user: alice
      - user: bob
      - user: charlie
      - user: diana

schedules:
  - name: platform-primary
    team: platform
    role: primary
    time_zone: UTC
    layers:
      - name: weekly
        participants: [alice, charlie, bob, diana]
        turn: 1 week
        start: "2026-02-16T00:00"
  - name: platform-shadow
    team: platform
    role: shadow
    time_zone: UTC
    layers:
      - name: weekly
        participants: [charlie, diana, alice, bob]
        turn: 1 week
        start: "2026-02-16T00:00"
  - name: office-hours
    time_zone: UTC
    layers:
      - name: weekdays
        participants: [diana]
        turn: 1 week
        start: "2026-02-16T00:00"
        restrictions:
          - days: [mon, tue, wed, thu, fri]
            from: "09:00"
            to: "17:00"

escalation_policies:
  - name: platform
    levels:
      - targets:
          - schedule: platform-primary
        delay_minutes: 5
      - targets:
          - schedule: office-hours
        delay_minutes: 5
      - targets:
          - schedule: platform-shadow

services:
  - name: Platform API
    escalation_policy: platform
    team: platform
    integrations:
      - name: events
        type: events_v2
        key: ${PLATFORM_KEY}
`;
