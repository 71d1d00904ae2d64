using Microsoft.EntityFrameworkCore;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// The per-owner days through the saga's own <see cref="OrchestratorDbContext"/> and transaction. A day is locked by
/// an update that changes nothing: PostgreSQL and SQL Server lock the row, SQLite takes its one writer's lock, until
/// the saga commits. A day created by two plans at once is a duplicate key for one: its message is retried and finds it.
/// </summary>
public sealed class OwnerSpendingDays(OrchestratorDbContext db) : IOwnerSpendingDays
{
    public async Task<OwnerSpendingDay> LockAsync(string ownerId, DateTime day, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("An owner's day is locked only inside the saga's transaction");

        var days = db.Set<OwnerSpendingDay>();
        var locked = await days.Where(d => d.OwnerId == ownerId && d.Day == day)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.Held, x => x.Held), cancellationToken);
        if (locked > 0)
            return await days.SingleAsync(d => d.OwnerId == ownerId && d.Day == day, cancellationToken);

        var created = new OwnerSpendingDay { OwnerId = ownerId, Day = day };
        days.Add(created);
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    public Task ReleaseAsync(string ownerId, DateTime day, long held, long used, CancellationToken cancellationToken) =>
        db.Set<OwnerSpendingDay>().Where(d => d.OwnerId == ownerId && d.Day == day)
            .ExecuteUpdateAsync(d => d.SetProperty(x => x.Held, x => x.Held - held).SetProperty(x => x.Spent, x => x.Spent + used), cancellationToken);
}
