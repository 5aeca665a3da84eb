using System.Net.Http.Headers;
using Orchestrator.Tests.Support;

namespace Orchestrator.Tests.Security;

/// <summary>The API keys the security tests configure: an admin, a submit and a read key of tenant acme, a submit key of globex.</summary>
internal static class Keys
{
    public const string Admin = "admin-key-0123456789abcdef";
    public const string AcmeSubmit = "acme-submit-key-0123456789";
    public const string AcmeRead = "acme-read-key-0123456789ab";
    public const string GlobexSubmit = "globex-submit-key-012345678";

    /// <summary>The four keys as server settings (command-line form of <c>Orchestrator__ApiKeys__0__Key</c> and so on).</summary>
    public static readonly string[] ServerArgs =
    [
        .. Key(0, "ops", Admin, null, "admin"),
        .. Key(1, "acme-app", AcmeSubmit, "acme", "submit"),
        .. Key(2, "acme-dashboard", AcmeRead, "acme", "read"),
        .. Key(3, "globex-app", GlobexSubmit, "globex", "submit"),
    ];

    public static string[] Key(int i, string name, string key, string? tenant, string role) =>
    [
        $"--Orchestrator:ApiKeys:{i}:Name={name}",
        $"--Orchestrator:ApiKeys:{i}:Key={key}",
        .. tenant is null ? Array.Empty<string>() : [$"--Orchestrator:ApiKeys:{i}:Tenant={tenant}"],
        $"--Orchestrator:ApiKeys:{i}:Role={role}",
    ];

    /// <summary>A client of <paramref name="server"/> that sends <paramref name="key"/> on every request.</summary>
    public static HttpClient Client(OrchestratorServer server, string key)
    {
        var http = new HttpClient { BaseAddress = server.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
