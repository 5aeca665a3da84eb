using System.Globalization;
using Akka.Cluster.Sharding;

namespace Orchestrator.Tasks;

/// <summary>
/// Cluster mode's routing of task messages: the entity is the task id, the shard its last two hex digits (random in
/// both kinds of id: a UUIDv7's tail and a hash), so new tasks spread over every shard. The first digits of a UUIDv7
/// are its time: sharding by them would put every new task in one shard.
/// </summary>
internal sealed class TaskShards : IMessageExtractor
{
    /// <summary>About ten per node for up to six nodes: enough to spread work, few enough to hand over quickly.</summary>
    public const int Count = 64;

    public string? EntityId(object message) => (message as ITaskCommand)?.TaskId;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } id ? ShardOf(id) : null;

    public string ShardId(string entityId, object? messageHint = null) => ShardOf(entityId);

    internal static string ShardOf(string taskId) =>
        (taskId.Length >= 2 && int.TryParse(taskId.AsSpan(taskId.Length - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var tail)
            ? tail % Count
            : 0).ToString(CultureInfo.InvariantCulture);
}
