using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Server.Security;
using Orchestrator.Simulator;

namespace Orchestrator.Tests.Security;

/// <summary>Finding a caller by key (hashed once, compared in constant time), the configuration mistakes that stop a start, and the simulator's loopback check.</summary>
public sealed class ApiKeyRingTests
{
    private static ApiKeyRing Ring(params ApiKeyOptions[] keys)
    {
        var (ring, errors) = ApiKeyRing.Build(keys);
        Assert.Empty(errors);
        return ring!;
    }

    private static ApiKeyOptions Key(string key, string role, string? tenant = "acme", string? name = null) => new() { Key = key, Role = role, Tenant = tenant, Name = name };

    [Fact]
    public void A_configured_key_finds_its_caller_and_a_near_miss_a_prefix_or_a_longer_key_finds_none()
    {
        var ring = Ring(Key("0123456789abcdef-acme", "submit", name: "acme-app"), Key("0123456789abcdef-ops", "Admin", tenant: null));

        Assert.Equal(new ApiCaller("acme-app", ApiRole.Submit, "acme"), ring.Find("0123456789abcdef-acme"));
        Assert.Equal(ApiRole.Admin, ring.Find("0123456789abcdef-ops")!.Role);
        Assert.Null(ring.Find("0123456789abcdef-acmf"));
        Assert.Null(ring.Find("0123456789abcdef-acm"));
        Assert.Null(ring.Find("0123456789abcdef-acme "));
        Assert.Null(ring.Find("0123456789ABCDEF-ACME"));
        Assert.Null(ring.Find(""));
    }

    [Fact]
    public void Each_configuration_mistake_is_named_by_its_setting_and_no_message_carries_a_key()
    {
        var (ring, errors) = ApiKeyRing.Build([
            Key("", "admin"), Key("short", "admin", tenant: null), Key("0123456789abcdef-1", "root"),
            Key("0123456789abcdef-2", "read", tenant: " "), Key("0123456789abcdef-3", "2"), Key("0123456789abcdef-2", "admin", tenant: null)]);

        Assert.Null(ring);
        Assert.Equal([
            "Orchestrator:ApiKeys:0:Key is empty.",
            "Orchestrator:ApiKeys:1:Key is shorter than 16 characters.",
            "Orchestrator:ApiKeys:2:Role must be admin, submit or read (got 'root').",
            "Orchestrator:ApiKeys:3:Tenant is required for a read key.",
            "Orchestrator:ApiKeys:4:Role must be admin, submit or read (got '2').",
            "Orchestrator:ApiKeys:5:Key is the same as an earlier key's.",
        ], errors);
        Assert.DoesNotContain(errors, e => e.Contains("0123456789abcdef") || e.Contains("short'"));
    }

    [Fact]
    public void Roles_nest_and_only_an_admin_sees_other_tenants()
    {
        var read = new ApiCaller("r", ApiRole.Read, "acme");
        var admin = new ApiCaller("a", ApiRole.Admin, null);
        Assert.True(read.Allows(ApiRole.Read));
        Assert.False(read.Allows(ApiRole.Submit));
        Assert.True(new ApiCaller("s", ApiRole.Submit, "acme").Allows(ApiRole.Read));
        Assert.True(admin.Allows(ApiRole.Admin));
        Assert.True(read.Sees("acme"));
        Assert.False(read.Sees("globex"));
        Assert.False(read.Sees(null));
        Assert.True(admin.Sees("globex"));
        Assert.Equal("acme", read.Scope);
        Assert.Null(admin.Scope);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.5", false)]
    [InlineData("192.168.1.20", false)]
    [InlineData("2001:db8::1", false)]
    public async Task The_simulators_control_routes_answer_callers_on_this_machine_only(string remote, bool allowed)
    {
        var http = new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse(remote) } };
        var reached = false;
        var answer = await SimulatorEndpoints.LoopbackOnly(new DefaultEndpointFilterInvocationContext(http),
            _ => { reached = true; return ValueTask.FromResult<object?>(Results.NoContent()); });

        Assert.Equal(allowed, reached);
        Assert.Equal(allowed, SimulatorEndpoints.IsFromLoopback(http));
        if (!allowed)
        {
            await ((IResult)answer!).ExecuteAsync(http.WithServices());
            Assert.Equal(StatusCodes.Status403Forbidden, http.Response.StatusCode);
        }
    }
}

internal static class HttpContextTestExtensions
{
    /// <summary>The services an <see cref="IResult"/> needs to write its answer.</summary>
    public static HttpContext WithServices(this HttpContext http)
    {
        http.RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        http.Response.Body = new MemoryStream();
        return http;
    }
}
