using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using Orchestrator.Batches;
using Orchestrator.Persistence;
using Orchestrator.Tasks;
using Orchestrator.Throttling;

namespace Orchestrator.Cluster;

/// <summary>
/// System.Text.Json for the messages that cross nodes in cluster mode (task commands and replies, throttle permits),
/// with short manifests, instead of Akka's Newtonsoft fallback. Nodes of one cluster run one version, so these
/// manifests may change between releases (unlike the journal's), but keeping them stable allows a rolling update.
/// </summary>
internal sealed class ClusterMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private static readonly Dictionary<Type, string> Manifests = new()
    {
        [typeof(SubmitTask)] = "st",
        [typeof(GetTask)] = "gt",
        [typeof(CancelTask)] = "ct",
        [typeof(WakeTask)] = "wt",
        [typeof(ProviderCallback)] = "pc",
        [typeof(GetTaskProgress)] = "gtp",
        [typeof(TaskAcceptedReply)] = "tar",
        [typeof(IdempotencyConflict)] = "ic",
        [typeof(TaskNotFound)] = "tnf",
        [typeof(CancelReply)] = "cr",
        [typeof(TaskProgress)] = "tp",
        [typeof(TaskView)] = "tv",
        [typeof(RequestPermit)] = "rp",
        [typeof(PermitGranted)] = "pg",
        [typeof(CallFinished)] = "cf",
        [typeof(SlotsReleased)] = "sr",
        [typeof(SlotsHeld)] = "sh",
        [typeof(PermitRequestsWithdrawn)] = "prw",
        [typeof(RateLimitAnswered)] = "rla",
        [typeof(AskQueueRoom)] = "aqr",
        [typeof(QueueRoom)] = "qr",
        [typeof(GetThrottleStats)] = "gts",
        [typeof(ThrottleStats)] = "ts",
        [typeof(AskChanjingToken)] = "act",
        [typeof(ChanjingTokenAnswer)] = "cta",
        // To and from the batch singleton (a batch's requests reach it from every node).
        [typeof(OpenBatch)] = "bo",
        [typeof(BatchPurged)] = "bpu",
        [typeof(NoteRetried)] = "bnr",
        [typeof(StoreChunk)] = "bsc",
        [typeof(ChunkStored)] = "bcs",
        [typeof(UploadTakenOver)] = "buto",
        [typeof(SealBatch)] = "bse",
        [typeof(StoreWholeBatch)] = "bsw",
        [typeof(AbandonBatch)] = "ba",
        [typeof(GetBatch)] = "bg",
        [typeof(CancelBatch)] = "bc",
        [typeof(FindQueuedTask)] = "bfq",
        [typeof(BatchNotFound)] = "bnf",
        [typeof(BatchStatus)] = "bs",
        [typeof(BatchCancelReply)] = "bcr",
    };

    private static readonly Dictionary<string, Type> Types = Manifests.ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <summary>The types this serializer is bound to.</summary>
    public static IReadOnlyList<Type> BoundTypes => Manifests.Keys.ToList();

    public override int Identifier => 4712;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"No manifest for {o.GetType()}; add one to {nameof(ClusterMessageSerializer)}.");

    // The journal's options, and sets read back as sets (a batch's retried lines).
    private static readonly JsonSerializerOptions Json = new(OrchestratorSerializer.Json) { Converters = { new ReadOnlySetConverter<int>() } };

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest) =>
        Types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Json)!
            : throw new System.Runtime.Serialization.SerializationException($"Unknown cluster message manifest '{manifest}'.");
}

/// <summary>An <see cref="IReadOnlySet{T}"/> as a JSON array, read back as a <see cref="HashSet{T}"/>.</summary>
internal sealed class ReadOnlySetConverter<T> : System.Text.Json.Serialization.JsonConverter<IReadOnlySet<T>>
{
    public override IReadOnlySet<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<List<T>>(ref reader, options)?.ToHashSet() ?? [];

    public override void Write(Utf8JsonWriter writer, IReadOnlySet<T> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToList(), options);
}
