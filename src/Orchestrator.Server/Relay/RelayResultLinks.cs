using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Orchestrator.ResultFiles;
using Orchestrator.Secrets;
using Orchestrator.Server.Security;
using Orchestrator.Tasks;

namespace Orchestrator.Server.Relay;

/// <summary>
/// Result URLs for relay clients: a provider's result URL downloads without credentials, so ours must too, yet
/// <c>/v1/tasks/{id}/results/{i}</c> needs an API key. Each link carries the task id and index encrypted and
/// authenticated with the server's key ring (the one that protects webhook secrets), so it cannot be forged or pointed
/// at another task, and it keeps working across restarts.
/// </summary>
internal sealed class RelayResultLinks(ISecretProtector protector, Microsoft.AspNetCore.Hosting.Server.IServer server, Hosting.OrchestratorOptions options)
{
    public const string Path = "/relay/results";
    private const string Prefix = "relay-result:";

    /// <summary>
    /// The URL a relay answer gives for <paramref name="result"/>: our signed link to the stored copy once re-hosted,
    /// else the provider's own. <paramref name="baseUrl"/> is where the client reached us (null: the public base URL, or
    /// the first address we listen on).
    /// </summary>
    public string UrlFor(string taskId, TaskResult result, string? baseUrl) =>
        result.StoredUrl is null ? result.Url
            : $"{baseUrl ?? DefaultBase()}{Path}/{protector.Protect($"{Prefix}{taskId}/{result.Index}")}";

    /// <summary>The base URL of a request: scheme and host as the client sent them.</summary>
    public static string BaseOf(HttpRequest request) => $"{request.Scheme}://{request.Host}";

    private string DefaultBase() =>
        !string.IsNullOrWhiteSpace(options.PublicBaseUrl) ? options.PublicBaseUrl.TrimEnd('/')
        : server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault()?.TrimEnd('/') ?? "";

    /// <summary>Maps <c>GET /relay/results/{token}</c>: the stored file, or 404 for a token that is not ours.</summary>
    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapGet(Path + "/{token}", Serve).AllowWithoutApiKey();

    private static async Task<Results<FileStreamHttpResult, NotFound>> Serve(string token, RelayResultLinks links, IResultStore store, CancellationToken ct)
    {
        if (links.Read(token) is not var (taskId, index)) return TypedResults.NotFound();
        var file = await store.OpenAsync(taskId, index, ct);
        if (file is null) return TypedResults.NotFound();
        return TypedResults.Stream(file.Content, file.File.ContentType,
            entityTag: new EntityTagHeaderValue($"\"{file.File.Sha256}\""), enableRangeProcessing: true);
    }

    private (string TaskId, int Index)? Read(string token)
    {
        string plain;
        try { plain = protector.Unprotect(token); }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
        catch (FormatException) { return null; }
        if (!plain.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var parts = plain[Prefix.Length..].Split('/');
        return parts.Length == 2 && TaskIds.IsWellFormed(parts[0]) && int.TryParse(parts[1], out var i) ? (parts[0], i) : null;
    }
}
