using Orchestrator.ResultFiles;

namespace Orchestrator.Tests.ResultFiles;

public sealed class DownloadBackoffTests
{
    [Theory]
    [InlineData(1, 0.5, 1)]
    [InlineData(2, 0.5, 2)]
    [InlineData(4, 0.5, 8)]
    [InlineData(7, 0.5, 60)]
    [InlineData(40, 0.5, 60)]
    [InlineData(1, 0.0, 0.9)]
    [InlineData(7, 1.0, 66)]
    public void Delays_double_from_the_base_up_to_60_s_with_10_percent_jitter(int failedAttempt, double draw, double seconds)
    {
        Assert.Equal(seconds, DownloadBackoff.After(failedAttempt, 1, draw).TotalSeconds, precision: 6);
    }

    [Fact]
    public void A_retry_after_is_honoured_up_to_five_minutes()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), DownloadBackoff.After(1, 1, 0.5, TimeSpan.FromSeconds(7)));
        Assert.Equal(TimeSpan.FromMinutes(5), DownloadBackoff.After(1, 1, 0.5, TimeSpan.FromHours(2)));
        Assert.Equal(TimeSpan.FromSeconds(1), DownloadBackoff.After(1, 1, 0.5, null));
    }
}
