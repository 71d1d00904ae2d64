namespace Orchestrator.Api.Security;

/// <summary>
/// Makes a check and the write that follows it one step for one key (an owner, a task) within this process, so that
/// a burst of parallel requests cannot all pass the check before any of them is recorded. A fixed set of stripes:
/// memory does not grow with the keys; two keys that share a stripe only wait for each other briefly.
/// </summary>
public sealed class KeyedLocks
{
    const int Stripes = 64;

    readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<IDisposable> EnterAsync(string key, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(uint)StringComparer.Ordinal.GetHashCode(key) % Stripes];
        await stripe.WaitAsync(cancellationToken);
        return new Held(stripe);
    }

    sealed class Held(SemaphoreSlim stripe) : IDisposable
    {
        int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                stripe.Release();
        }
    }
}
