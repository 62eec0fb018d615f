namespace Backprop.Server.Jobs;

/// <summary>On start, after the actor system: lists the jobs stored on the data volume again and requeues the unfinished ones.</summary>
internal sealed class JobRecovery(JobService jobs, ILogger<JobRecovery> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await jobs.RecoverAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(e, "Recovering the stored jobs failed");
        }
    }
}
