using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Orchestrator.Tasks;
using Orchestrator.Webhooks;

namespace Orchestrator.Persistence;

/// <summary>
/// System.Text.Json for journal events, with short manifests that never change once written
/// (rename a type freely; never reuse or change a manifest).
/// </summary>
internal sealed class OrchestratorSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private static readonly Dictionary<Type, string> Manifests = new()
    {
        [typeof(TaskAccepted)] = "ta1",
        [typeof(TaskSubmitAttempted)] = "tsa1",
        [typeof(TaskSubmitted)] = "ts1",
        [typeof(TaskSubmitRefused)] = "tsr1",
        [typeof(TaskSucceeded)] = "tok1",
        [typeof(TaskFailed)] = "tf1",
        [typeof(TaskTimedOut)] = "tto1",
        [typeof(TaskCancelled)] = "tc1",
        [typeof(TaskCancelledQueued)] = "tcq1",
        [typeof(TaskProcessing)] = "tp1",
        [typeof(Batches.BatchOpened)] = "bo1",
        [typeof(Batches.BatchChunkStored)] = "bcs1",
        [typeof(Batches.BatchSealed)] = "bs1",
        [typeof(Batches.BatchAbandoned)] = "ba1",
        [typeof(Batches.BatchReleaseMarked)] = "brm1",
        [typeof(Batches.BatchCancelled)] = "bc1",
        [typeof(Batches.BatchRetried)] = "brt1",
        [typeof(WebhookEndpointRegistered)] = "whr1",
        [typeof(WebhookEndpointDisabled)] = "whd1",
        [typeof(WebhookEndpointEnabled)] = "whe1",
        [typeof(WebhookEndpointDeleted)] = "whx1",
        [typeof(WebhookTaskSecretCreated)] = "whts1",
        [typeof(WebhookDeliveryPending)] = "wdp1",
        [typeof(WebhookDeliveryFailed)] = "wdf1",
        [typeof(WebhookDeliverySucceeded)] = "wds1",
        [typeof(WebhookDeliveriesReplayed)] = "wdr1",
        [typeof(WebhookOffsetCommitted)] = "wdo1",
        [typeof(WebhookLedgerSnapshot)] = "wls1",
    };

    // The bulk of a task's or a batch's journal, written Brotli-compressed (JournalCompression) under its manifest and
    // "b": a task's request and results about a third smaller, a batch's chunk of alike lines a tenth of its size. That
    // is about 450 bytes less journal per batch task. The plain forms earlier versions wrote are still read.
    private static readonly HashSet<Type> Compressed = [typeof(TaskAccepted), typeof(TaskSubmitted), typeof(TaskSucceeded), typeof(Batches.BatchChunkStored)];
    private const string CompressedSuffix = "b";

    private static readonly Dictionary<string, Type> CompressedTypes =
        Manifests.Where(kv => Compressed.Contains(kv.Key)).ToDictionary(kv => kv.Value + CompressedSuffix, kv => kv.Key);

    private static readonly Dictionary<string, Type> Types = Manifests.ToDictionary(kv => kv.Value, kv => kv.Key).Concat(CompressedTypes).ToDictionary();

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public override int Identifier => 4711;

    public override string Manifest(object o)
    {
        if (!Manifests.TryGetValue(o.GetType(), out var m))
            throw new ArgumentException($"No manifest for {o.GetType()}; add one to {nameof(OrchestratorSerializer)}.");
        return Compressed.Contains(o.GetType()) ? m + CompressedSuffix : m;
    }

    public override byte[] ToBinary(object obj)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(Stored(obj), obj.GetType(), Json);
        return Compressed.Contains(obj.GetType()) ? JournalCompression.Compress(json) : json;
    }

    public override object FromBinary(byte[] bytes, string manifest) =>
        Types.TryGetValue(manifest, out var type)
            ? Read(JsonSerializer.Deserialize(JsonOf(bytes, manifest), type, Json)!)
            : throw new System.Runtime.Serialization.SerializationException($"Unknown event manifest '{manifest}'.");

    /// <summary>The JSON of a journaled event, uncompressed if it was written compressed.</summary>
    internal static byte[] JsonOf(byte[] bytes, string manifest) => CompressedTypes.ContainsKey(manifest) ? JournalCompression.Decompress(bytes) : bytes;

    // A finished task's results are its largest event: their stored URLs, derivable from the task id, stay out of it.
    // Events written with them read the same (a URL that is there is kept). A batch line's acceptance inside its submit
    // leaves out the task id the submit names already.
    private static object Stored(object e) => e switch
    {
        TaskSucceeded s => s with { Results = StoredResults.Compact(s.TaskId, s.Results) },
        TaskSubmitted { Accepted: { } a } s => s with { Accepted = a with { TaskId = null! } },
        _ => e,
    };

    private static object Read(object e) => e switch
    {
        TaskSucceeded s => s with { Results = StoredResults.Expand(s.TaskId, s.Results) },
        TaskSubmitted { Accepted: { } a } s when a.TaskId is null => s with { Accepted = a with { TaskId = s.TaskId } },
        _ => e,
    };
}
