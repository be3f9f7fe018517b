import { redfishTime } from './time.js';

export interface RedfishAlert {
  time: number;
  eventId: string;
  /** Registry message, `OpenBMC.0.1.PowerSupplyFailed`. */
  messageId: string;
  args: string[];
  message: string;
  severity: 'OK' | 'Warning' | 'Critical';
  /** The resource the event is about (`/redfish/v1/Chassis/1/PowerSubsystem/PowerSupplies/PSU2`). */
  origin: string;
}

/** A Redfish EventService push (Event v1.7 payload with one record), as a subscriber receives it. */
export function redfishEventPayload(alert: RedfishAlert): string {
  return JSON.stringify({
    '@odata.type': '#Event.v1_7_0.Event',
    Id: alert.eventId,
    Name: 'Event Array',
    Context: 'faultline',
    Events: [
      {
        EventType: 'Alert',
        EventId: alert.eventId,
        EventTimestamp: redfishTime(alert.time),
        Severity: alert.severity,
        MessageSeverity: alert.severity,
        Message: alert.message,
        MessageId: alert.messageId,
        MessageArgs: alert.args,
        OriginOfCondition: { '@odata.id': alert.origin },
      },
    ],
  });
}
