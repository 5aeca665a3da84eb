using Orchestrator.Tests.Api;
using Orchestrator.Tests.Batches;
using Orchestrator.Tests.Events;
using Orchestrator.Tests.Relay;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Storage;

// What a user who switches Orchestrator:Storage:Provider to PostgreSql relies on, run again on PostgreSQL: each class
// is an existing test class, unchanged, on a fresh database per test. Skipped, saying why, without ORCHESTRATOR_TEST_POSTGRES.

/// <summary><see cref="TaskApiTests"/> on PostgreSQL: tasks over HTTP, idempotency (across a restart too), cancel, listing.</summary>
[OnPostgres] public sealed class TaskApiOnPostgresTests : TaskApiTests;

/// <summary><see cref="CrashRecoveryTests"/> on PostgreSQL: kill -9 and restart, every task finishes once.</summary>
[OnPostgres] public sealed class CrashRecoveryOnPostgresTests : CrashRecoveryTests;

/// <summary><see cref="BatchQueueTests"/> on PostgreSQL: a big batch queued, cancelled, continued after a restart.</summary>
[OnPostgres] public sealed class BatchQueueOnPostgresTests : BatchQueueTests;

/// <summary><see cref="CompletionStreamTests"/> on PostgreSQL: every completion once, from an offset, across restarts.</summary>
[OnPostgres] public sealed class CompletionStreamOnPostgresTests : CompletionStreamTests;

/// <summary><see cref="SseTests"/> on PostgreSQL: the event stream resumed with Last-Event-ID.</summary>
[OnPostgres] public sealed class SseOnPostgresTests : SseTests;

/// <summary><see cref="RelayCallbackCrashTests"/> on PostgreSQL: a relay client's callback gets every state, in order, after a kill -9 (the <c>task-state</c> tag on PostgreSQL's tag table).</summary>
[OnPostgres] public sealed class RelayCallbackCrashOnPostgresTests : RelayCallbackCrashTests;
