using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Sagas.Persistence.SagaRepository;

public static class EfCoreSagaRepositoryRegistration
{
    /// <summary>
    /// Stores <typeparamref name="TSaga"/> through the scoped <typeparamref name="TDbContext"/> registered in the
    /// container: one context and one transaction per message, optimistic concurrency on the saga's version.
    /// </summary>
    public static ISagaRegistrationConfigurator<TSaga> EfCoreRepository<TSaga, TDbContext>(this ISagaRegistrationConfigurator<TSaga> saga)
        where TSaga : class, ISaga
        where TDbContext : DbContext =>
        saga.Repository(repository =>
        {
            repository.RegisterSagaRepository<TSaga, DbContext, SagaConsumeContextFactory<DbContext, TSaga>,
                EfCoreSagaRepositoryContextFactory<TSaga, TDbContext>>();
            repository.RegisterQuerySagaRepository<TSaga, EfCoreSagaRepositoryContextFactory<TSaga, TDbContext>>();
            repository.RegisterLoadSagaRepository<TSaga, EfCoreSagaRepositoryContextFactory<TSaga, TDbContext>>();
        });
}
