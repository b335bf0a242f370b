import type { Association } from '../domain/association.js';
import type { BulkReportRow } from '../domain/bulk-upload.js';
import type { BulkUploadSummary } from '../services/bulk-upload.service.js';
import { maskKey } from '../domain/identifiers.js';
import type { MeterOperation } from '../domain/meter-operation.js';
import type { ServiceRequest } from '../domain/request.js';
import type { RequestWithHistory } from '../services/request.service.js';

/** Domain objects → API JSON. The only place that decides field names on the wire. */
export function presentAssociation(a: Association) {
  return {
    id: a.associationId,
    pod: a.pod,
    status: a.status,
    channel: a.channel,
    du: {
      name: a.du.name,
      macAddress: a.du.macAddress,
      encryptionKey: maskKey(a.du.keyLast4),
      hardwareVersion: a.du.hardwareVersion,
      softwareVersion: a.du.softwareVersion,
    },
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function presentRequest(r: ServiceRequest) {
  return {
    id: r.requestId,
    kind: r.kind,
    pod: r.pod,
    associationId: r.associationId,
    status: r.status,
    reason: r.reason,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    closedAt: r.closedAt?.toISOString() ?? null,
  };
}

export function presentRequestDetail(r: RequestWithHistory) {
  return {
    ...presentRequest(r),
    history: r.history.map((t) => ({ status: t.status, reason: t.reason, at: t.at.toISOString() })),
  };
}

export function presentOperation(o: MeterOperation) {
  const { kind, ...parameters } = o.command;
  return {
    id: o.id,
    pod: o.pod,
    kind,
    ...parameters,
    status: o.status,
    reason: o.reason,
    detail: o.detail,
    attempts: o.attempts,
    registers: o.registers && { ...o.registers, readAt: o.registers.readAt.toISOString() },
    requestedBy: o.operatorId,
    createdAt: o.createdAt.toISOString(),
    completedAt: o.completedAt?.toISOString() ?? null,
  };
}

export function presentBulkUpload(u: BulkUploadSummary) {
  return {
    id: u.bulkUploadId,
    fileName: u.fileName,
    rows: u.rowCount,
    status: u.status,
    counts: u.counts,
    createdAt: u.createdAt.toISOString(),
  };
}

export function presentBulkReportRow(r: BulkReportRow) {
  return {
    line: r.line,
    pod: r.pod,
    eligibility: r.eligibility,
    status: r.status,
    reason: r.reason,
    issues: r.issues,
    requestId: r.requestId,
  };
}
