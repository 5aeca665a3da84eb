using System.Text.Json.Nodes;

namespace Orchestrator.Cli.Http;

/// <summary>
/// A server answer, typed for the CLI's own use and kept as the document the server sent: <c>--json</c> prints
/// <see cref="Document"/>, so fields newer than this client pass through.
/// </summary>
public sealed record Answer<T>(T Value, JsonNode Document);
