using System.Net;
using Akka.Configuration;
using Akka.Cluster.SBR;
using Backprop.Cluster.Hosting;

namespace Backprop.Cluster.Tests.Hosting;

public class ClusterOptionsTests
{
    [Fact]
    public void AdvertisedHostname_PublicHostnameSet_IsPublicHostname()
    {
        var options = new ClusterOptions { Hostname = "0.0.0.0", PublicHostname = "coordinator" };

        Assert.Equal("coordinator", options.AdvertisedHostname);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.7")]
    [InlineData("worker-3")]
    public void AdvertisedHostname_NoPublicHostnameAndADialableHostname_IsHostname(string hostname)
    {
        var options = new ClusterOptions { Hostname = hostname };

        Assert.Equal(hostname, options.AdvertisedHostname);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void AdvertisedHostname_NoPublicHostnameAndAWildcardHostname_IsTheMachinesHostName(string hostname)
    {
        var options = new ClusterOptions { Hostname = hostname, PublicHostname = " " };

        Assert.Equal(Dns.GetHostName(), options.AdvertisedHostname);
    }

    [Fact]
    public void ClusterHocon_WildcardHostname_AdvertisesTheMachinesHostName()
    {
        var hocon = ClusterHocon.For(new ClusterOptions { Hostname = "0.0.0.0" });

        Assert.Equal("0.0.0.0", hocon.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(Dns.GetHostName(), hocon.GetString("akka.remote.dot-netty.tcp.public-hostname"));
    }

    [Fact]
    public void ClusterHocon_Always_RetriesARefusedJoinEveryTwoSeconds() =>
        // A restarted coordinator joins as soon as its old incarnation is removed, not up to 10 s later.
        Assert.Equal(TimeSpan.FromSeconds(2), ClusterHocon.For(new ClusterOptions()).GetTimeSpan("akka.cluster.retry-unsuccessful-join-after"));

    [Fact]
    public void Tls_Default_IsOnAndNeedsTheNodesCertificate()
    {
        var options = new ClusterOptions();

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.True(ClusterHocon.For(options).GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
        Assert.StartsWith("Cluster:Tls:Certificate: is required with TLS on", error.Message);
        Assert.Contains("Cluster__Tls__Certificate", error.Message);
    }

    [Fact]
    public void Tls_ExplicitlyOff_PlaintextRemoting()
    {
        var options = new ClusterOptions { Tls = { Enabled = false } };

        options.Validate();

        Assert.False(ClusterHocon.For(options).GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
    }

    [Fact]
    public void StallTimeout_Default_IsFiveMinutes() =>
        Assert.Equal(TimeSpan.FromMinutes(5), new ClusterOptions().StallTimeout);

    [Fact]
    public void Validate_StallTimeoutNotPositive_NamesTheKeyTheVariableAndAnExample()
    {
        var options = new ClusterOptions { StallTimeout = TimeSpan.Zero };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("Cluster:StallTimeout", error.Message);
        Assert.Contains("Cluster__StallTimeout", error.Message);
        Assert.Contains("00:05:00", error.Message);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(20)]
    [InlineData(120)]
    public void ClusterHocon_AnyDownUnreachableAfter_SplitBrainResolverNeverDownsEveryNodeForInstability(int seconds)
    {
        var options = new ClusterOptions { DownUnreachableAfter = TimeSpan.FromSeconds(seconds) };

        var akkaDefaults = ConfigurationFactory.FromResource<Akka.Cluster.Cluster>("Akka.Cluster.Configuration.Cluster.conf");

        var settings = new SplitBrainResolverSettings(ClusterHocon.For(options).WithFallback(akkaDefaults));

        Assert.Equal("on", akkaDefaults.GetString("akka.cluster.split-brain-resolver.down-all-when-unstable"));
        Assert.Equal(TimeSpan.FromSeconds(seconds), settings.DowningStableAfter);
        Assert.Equal(SplitBrainResolverSettings.KeepMajorityName, settings.DowningStrategy);
        Assert.Equal(TimeSpan.Zero, settings.DownAllWhenUnstable);
    }
}
