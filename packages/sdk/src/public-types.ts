export type { Client, EventName, Properties, PropertiesInput, Traits, TraitsInput } from './core/client';
export type { ClientConfig } from './core/config';
export type {
  ClientNotices,
  DropNotice,
  DropReason,
  ErrorNotice,
  EventDraft,
  SentNotice,
} from './core/notices';
export type { Platform, PlatformContext, Storage, Transport, TransportResponse } from './core/types';
export type { EventlineApi } from './default-instance';
