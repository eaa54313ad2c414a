/** The doorbell the Workers entry hands the app: each HDA's channel object, reached over RPC. */
import type { Doorbell } from '../context';
import { CHANNEL_HDA_HEADER, type HdaChannelObject } from './hda-channel-object';

export function durableDoorbell(ns: DurableObjectNamespace<HdaChannelObject>): Doorbell {
  const objectFor = (hdaId: string) => ns.get(ns.idFromName(hdaId));
  return {
    ring: async (hdaId) => void (await objectFor(hdaId).ring()),
    hangUp: (hdaId) => objectFor(hdaId).hangUp(),
    connect: (hdaId) => objectFor(hdaId).fetch('https://hda-channel/connect', { headers: { upgrade: 'websocket', [CHANNEL_HDA_HEADER]: hdaId } }),
  };
}
