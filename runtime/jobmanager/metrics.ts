// Prometheus metrics of the JobManager, computed from its state at scrape time.

import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobMaster } from './job-master.ts';
import { TERMINAL_STATES } from './job-state.ts';
import type { ResourceManager } from './resource-manager.ts';

/** Prometheus base units: times in seconds (the runtime keeps milliseconds). */
const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

export function jobManagerMetrics(rm: ResourceManager, jobs: () => Iterable<JobMaster>): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'millrace_jobmanager_' });
  new Gauge({ name: 'millrace_taskmanagers', help: 'Registered TaskManagers', registers: [registry], collect() { this.set(rm.taskManagers.size); } });
  new Gauge({ name: 'millrace_slots_total', help: 'Task slots offered by all TaskManagers', registers: [registry], collect() { this.set(rm.allSlots().length); } });
  new Gauge({ name: 'millrace_slots_available', help: 'Free task slots', registers: [registry], collect() { this.set(rm.freeSlots().length); } });
  new Gauge({ name: 'millrace_taskmanagers_standby', help: 'Healthy TaskManagers with every slot free (a failover deploys there at once)', registers: [registry], collect() { this.set(rm.standbyTaskManagers()); } });
  new Gauge({
    name: 'millrace_jobs', help: 'Jobs by state', labelNames: ['state'], registers: [registry],
    collect() {
      this.reset();
      for (const j of jobs()) this.inc({ state: j.state });
    },
  });
  new Gauge({
    name: 'millrace_job_restarts', help: 'Restarts of a job', labelNames: ['job_id', 'job_name'], registers: [registry],
    collect() {
      this.reset();
      for (const j of jobs()) this.set({ job_id: j.id, job_name: j.name }, j.restarts);
    },
  });
  const perVertex = (name: string, help: string, pick: (v: ReturnType<JobMaster['graph']['summarize']>) => number | null) =>
    new Gauge({
      name, help, labelNames: ['job_id', 'vertex_id', 'vertex_name'], registers: [registry],
      collect() {
        this.reset();
        for (const j of jobs()) {
          if (TERMINAL_STATES.has(j.state) && j.state !== 'FINISHED') continue;
          for (const v of j.graph.jobGraph.vertices) {
            const val = pick(j.graph.summarize(v));
            if (val !== null) this.set({ job_id: j.id, vertex_id: v.id, vertex_name: v.name }, val);
          }
        }
      },
    });
  perVertex('millrace_vertex_records_in', 'Records received by a vertex (all subtasks)', (v) => v.recordsIn);
  perVertex('millrace_vertex_records_out', 'Records emitted by a vertex (all subtasks)', (v) => v.recordsOut);
  perVertex('millrace_vertex_backpressure_ratio', 'Highest share of time a subtask waited for output credit', (v) => v.backpressureRatio);
  perVertex('millrace_vertex_input_watermark_seconds', 'Lowest input watermark over subtasks (Unix time in seconds)', (v) => seconds(v.inputWatermark));
  // checkpoints of all jobs of this JobManager (in application mode: its one job)
  const stats = () => [...jobs()].flatMap((j) => (j.coordinator ? [j.coordinator.stats] : []));
  new Gauge({
    name: 'millrace_checkpoints_total', help: 'Checkpoints by result since the JobManager started', labelNames: ['result'], registers: [registry],
    collect() {
      const all = stats();
      this.set({ result: 'completed' }, all.reduce((a, s) => a + s.completedCount, 0));
      this.set({ result: 'failed' }, all.reduce((a, s) => a + s.failedCount, 0));
    },
  });
  const last = () => stats().map((s) => s.latestCompleted).filter((c) => c !== undefined).sort((a, b) => b.trigger_timestamp - a.trigger_timestamp)[0];
  new Gauge({ name: 'millrace_checkpoint_last_duration_seconds', help: 'End-to-end duration of the latest completed checkpoint', registers: [registry], collect() { this.set((last()?.end_to_end_duration ?? 0) / 1000); } });
  new Gauge({ name: 'millrace_checkpoint_last_size_bytes', help: 'State size of the latest completed checkpoint', registers: [registry], collect() { this.set(last()?.state_size ?? 0); } });
  new Gauge({ name: 'millrace_checkpoint_last_alignment_seconds', help: 'Longest barrier alignment of the latest completed checkpoint', registers: [registry], collect() { this.set((last()?.alignment_duration ?? 0) / 1000); } });
  new Gauge({ name: 'millrace_checkpoints_in_progress', help: 'Checkpoints and savepoints in flight', registers: [registry], collect() { this.set(stats().reduce((a, s) => a + s.inProgressCount, 0)); } });
  return registry;
}
