using System.Data.Common;

namespace Orchestrator.Persistence;

/// <summary>
/// An event read straight from a row of Akka.Persistence.Sql's <c>journal</c> table (the SQLite tag pages, a restart's
/// bulk read), deserialized as the plugin would: its <c>message</c>, <c>manifest</c> and <c>identifier</c> columns.
/// </summary>
internal static class JournalRowPayload
{
    /// <param name="reader">Positioned on the row.</param>
    /// <param name="message">The column of <c>message</c>; <c>manifest</c> and <c>identifier</c> must follow it, in that order.</param>
    /// <param name="serialization">The actor system's, where the orchestrator's serializer is registered.</param>
    public static object Read(DbDataReader reader, int message, Akka.Serialization.Serialization serialization)
    {
        var manifest = reader.IsDBNull(message + 1) ? "" : reader.GetString(message + 1);
        var serializerId = reader.IsDBNull(message + 2) ? 0 : reader.GetInt32(message + 2);
        return serialization.Deserialize((byte[])reader.GetValue(message), serializerId, manifest);
    }
}
