# Foyer's calls: orders calls the catalog, the BFFs call the services (and orders).

module "layers" {
  source = "../.."

  calls = {
    catalog = []
    orders  = ["catalog"]
    web     = ["catalog", "orders"]
  }
}
