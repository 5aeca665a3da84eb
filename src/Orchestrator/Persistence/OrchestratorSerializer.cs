using System.IO.Compression;
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
        [typeof(Batches.BatchChunkStored)] = CompressedChunk,
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

    // A batch's requests, a chunk at a time, Brotli-compressed: lines of one upload are alike, and the plain JSON was
    // about 235 bytes of every task's journal growth (about a tenth of that compressed). "bcs1" is the plain form
    // earlier versions wrote, still read.
    private const string CompressedChunk = "bcs2";
    private const string PlainChunk = "bcs1";
    private const int BrotliQuality = 4; // fast: a 1,000-line chunk compresses in a few milliseconds
    private const int BrotliWindow = 22;

    private static readonly Dictionary<string, Type> Types = new(Manifests.ToDictionary(kv => kv.Value, kv => kv.Key))
    {
        [PlainChunk] = typeof(Batches.BatchChunkStored),
    };

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public override int Identifier => 4711;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"No manifest for {o.GetType()}; add one to {nameof(OrchestratorSerializer)}.");

    public override byte[] ToBinary(object obj)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(Stored(obj), obj.GetType(), Json);
        return obj is Batches.BatchChunkStored ? Compress(json) : json;
    }

    public override object FromBinary(byte[] bytes, string manifest) =>
        Types.TryGetValue(manifest, out var type)
            ? Read(JsonSerializer.Deserialize(manifest == CompressedChunk ? Decompress(bytes) : bytes, type, Json)!)
            : throw new System.Runtime.Serialization.SerializationException($"Unknown event manifest '{manifest}'.");

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

    private static byte[] Compress(byte[] json)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(json.Length)];
        if (!BrotliEncoder.TryCompress(json, buffer, out var written, BrotliQuality, BrotliWindow))
            throw new System.Runtime.Serialization.SerializationException("A batch chunk could not be compressed.");
        return buffer[..written];
    }

    private static byte[] Decompress(byte[] compressed)
    {
        using var input = new MemoryStream(compressed);
        using var brotli = new BrotliStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream(compressed.Length * 8);
        brotli.CopyTo(output);
        return output.ToArray();
    }
}
