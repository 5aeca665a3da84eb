using System.Net;
using Orchestrator.Webhooks;

namespace Orchestrator.Tests.Webhooks;

/// <summary>A webhook URL must not reach into the network the orchestrator runs in, unless the operator allows it.</summary>
public sealed class WebhookTargetPolicyTests
{
    [Theory]
    [InlineData("https://hooks.example.com/orchestrator")]
    [InlineData("http://93.184.216.34:8080/hook?x=1")]
    [InlineData("https://[2606:4700::1111]/hook")]
    [InlineData("http://8.8.8.8/")]
    public void Public_http_and_https_targets_are_allowed(string url) => Assert.Null(WebhookTargetPolicy.Check(url, allowPrivateTargets: false));

    [Theory]
    [InlineData("http://127.0.0.1:9000/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://LOCALHOST./hook")]
    [InlineData("http://127.1/hook")]
    [InlineData("http://api.localhost/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://10.1.2.3/")]
    [InlineData("http://172.16.0.1/")]
    [InlineData("http://172.31.255.255/")]
    [InlineData("http://192.168.1.1/")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://100.64.0.1/")]
    [InlineData("http://0.0.0.0/")]
    [InlineData("http://224.0.0.1/")]
    [InlineData("http://255.255.255.255/")]
    [InlineData("http://[fc00::1]/")]
    [InlineData("http://[fd12:3456::1]/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://[::ffff:10.0.0.1]/")]
    [InlineData("http://[64:ff9b::a00:1]/")]
    [InlineData("http://2130706433/")]                // 127.0.0.1 as one number
    [InlineData("http://0x7f.0.0.1/")]
    public void Internal_targets_are_refused_unless_allowed(string url)
    {
        Assert.NotNull(WebhookTargetPolicy.Check(url, allowPrivateTargets: false));
        Assert.Null(WebhookTargetPolicy.Check(url, allowPrivateTargets: true));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://127.0.0.1:5080;https://[::1]:5081")]
    [InlineData("http://127.0.0.2:0/")]
    public void A_server_listening_on_loopback_only_is_reachable_from_this_machine_alone(string urls) =>
        Assert.True(WebhookTargetPolicy.ListensOnLoopbackOnly(urls.Split(';')));

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://[::]:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080")]
    [InlineData("http://192.168.1.20:5080")]
    [InlineData("http://orchestrator.example.com:5080")]
    [InlineData("http://127.0.0.1:5080;http://0.0.0.0:5081")]
    [InlineData("")]
    public void A_server_listening_beyond_loopback_is_not(string urls) =>
        Assert.False(WebhookTargetPolicy.ListensOnLoopbackOnly(urls.Split(';', StringSplitOptions.RemoveEmptyEntries)));

    [Theory]
    [InlineData("http://127.0.0.1:9000/hook", true)]
    [InlineData("http://localhost/hook", true)]
    [InlineData("http://[::1]/hook", true)]
    [InlineData("http://[::ffff:127.0.0.1]/hook", true)]
    [InlineData("http://10.1.2.3/", false)]
    [InlineData("http://192.168.1.1/", false)]
    [InlineData("http://169.254.169.254/latest/meta-data", false)]
    [InlineData("http://0.0.0.0/", false)]
    public void Allowing_loopback_targets_allows_loopback_and_nothing_else_internal(string url, bool allowed)
    {
        Assert.Equal(allowed, WebhookTargetPolicy.Check(url, allowPrivateTargets: false, allowLoopbackTargets: true) is null);
        Assert.NotNull(WebhookTargetPolicy.Check(url, allowPrivateTargets: false, allowLoopbackTargets: false));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hooks.example.com/x")]
    [InlineData("/relative")]
    [InlineData("ftp://hooks.example.com/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://user:pw@hooks.example.com/")]
    [InlineData("https://hooks.example.com/#frag")]
    public void Only_absolute_http_and_https_urls_are_targets(string? url) =>
        Assert.NotNull(WebhookTargetPolicy.Check(url, allowPrivateTargets: true));

    [Theory]
    [InlineData("172.15.255.255", false)]
    [InlineData("172.32.0.0", false)]
    [InlineData("100.63.255.255", false)]
    [InlineData("100.128.0.0", false)]
    [InlineData("169.253.0.1", false)]
    [InlineData("11.0.0.1", false)]
    [InlineData("2001:4860:4860::8888", false)]
    [InlineData("198.18.0.1", true)]
    [InlineData("::", true)]
    [InlineData("ff02::1", true)]
    public void Range_edges(string address, bool isInternal) => Assert.Equal(isInternal, WebhookTargetPolicy.IsInternal(IPAddress.Parse(address)));

    [Fact]
    public async Task A_name_is_checked_again_after_resolution_so_it_cannot_lead_inward()
    {
        // "localhost" resolves through the hosts file to loopback: the connect step refuses what the name check might miss.
        await Assert.ThrowsAsync<WebhookTargetRefusedException>(() => WebhookTargetPolicy.AllowedAddressesAsync("localhost", false, false, CancellationToken.None));
        Assert.NotEmpty(await WebhookTargetPolicy.AllowedAddressesAsync("localhost", true, false, CancellationToken.None));
        await Assert.ThrowsAsync<WebhookTargetRefusedException>(() => WebhookTargetPolicy.AllowedAddressesAsync("127.0.0.1", false, false, CancellationToken.None));
        Assert.All(await WebhookTargetPolicy.AllowedAddressesAsync("localhost", false, allowLoopbackTargets: true, CancellationToken.None), a => Assert.True(IPAddress.IsLoopback(a)));
        await Assert.ThrowsAsync<WebhookTargetRefusedException>(() => WebhookTargetPolicy.AllowedAddressesAsync("10.0.0.1", false, allowLoopbackTargets: true, CancellationToken.None));
    }

    [Fact]
    public async Task The_webhooks_handler_refuses_to_connect_to_a_loopback_receiver_and_follows_no_redirects()
    {
        await using var receiver = await WebhookReceiver.StartAsync(WebhookSignature.NewSecret());
        using (var guarded = new HttpClient(WebhookTargetPolicy.CreateHandler(allowPrivateTargets: false, TimeSpan.FromSeconds(5))))
        {
            var ex = await Assert.ThrowsAsync<HttpRequestException>(() => guarded.PostAsync(receiver.Url.Replace("127.0.0.1", "localhost"), new StringContent("{}")));
            Assert.IsType<WebhookTargetRefusedException>(ex.InnerException);
        }
        Assert.Equal(0, receiver.RequestCount);

        receiver.Answer = _ => (307, null);
        using var open = new HttpClient(WebhookTargetPolicy.CreateHandler(allowPrivateTargets: true, TimeSpan.FromSeconds(5)));
        var response = await open.PostAsync(receiver.Url, new StringContent("{}"));
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(1, receiver.RequestCount);
    }
}
